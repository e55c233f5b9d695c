/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went
 * during the measured window only (boot and shutdown are left out): top
 * functions by self time, self time per package, and the share of samples
 * with a frame of this plugin anywhere on the stack.
 *
 * V8 stamps samples with the monotonic clock, the same one as
 * process.hrtime() in the bench process, so the window is given in hrtime µs.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './processes';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly windowMs: number;
  readonly busyMs: number;
  readonly idleMs: number;
  /** Share of busy time with a plugin frame anywhere on the stack (its own code and what it calls). */
  readonly pluginInclusivePct: number;
  /** Share of busy time spent in the plugin's own functions. */
  readonly pluginSelfPct: number;
  readonly topFunctions: Array<{ function: string; where: string; selfMs: number; pct: number }>;
  readonly byPackage: Array<{ package: string; selfMs: number; pct: number }>;
}

const PLUGIN_DIST = `${ROOT}/dist/server/`;

const pathOf = (url: string): string => url.replace(/^file:\/\//, '');

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (internals)';
  const path = pathOf(url);
  if (path.startsWith(PLUGIN_DIST)) return 'strapi-plugin-remote-auth';
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = path.slice(at + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return relative(ROOT, path) || path;
}

function where(url: string, line: number): string {
  if (!url) return '';
  if (url.startsWith('node:')) return `${url}:${line + 1}`;
  const path = pathOf(url);
  const at = path.lastIndexOf('node_modules/');
  return `${at >= 0 ? path.slice(at + 'node_modules/'.length) : relative(ROOT, path)}:${line + 1}`;
}

export function summarizeProfile(file: string, fromUs: number, toUs: number, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const pluginOnStack = new Map<number, boolean>();
  const hasPlugin = (id: number): boolean => {
    const known = pluginOnStack.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const own = pathOf(node.callFrame.url).startsWith(PLUGIN_DIST);
    const up = parent.get(id);
    const result = own || (up !== undefined && hasPlugin(up));
    pluginOnStack.set(id, result);
    return result;
  };

  const self = new Map<number, number>(); // node id → µs
  let idle = 0;
  let busy = 0;
  let pluginInclusive = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const duration = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    const id = profile.samples[i];
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += duration;
      continue;
    }
    busy += duration;
    self.set(id, (self.get(id) ?? 0) + duration);
    if (hasPlugin(id)) pluginInclusive += duration;
  }

  const functions = new Map<string, { function: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let pluginSelf = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const entry = functions.get(key) ?? { function: name, where: where(url, lineNumber), us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const pkg = packageOf(url, name);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    if (pkg === 'strapi-plugin-remote-auth') pluginSelf += us;
  }
  const pct = (us: number) => (busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0);
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    file: relative(ROOT, file),
    windowMs: ms(toUs - fromUs),
    busyMs: ms(busy),
    idleMs: ms(idle),
    pluginInclusivePct: pct(pluginInclusive),
    pluginSelfPct: pct(pluginSelf),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ function: f.function, where: f.where, selfMs: ms(f.us), pct: pct(f.us) })),
    byPackage: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, us]) => ({ package: name, selfMs: ms(us), pct: pct(us) })),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [
    `  ${summary.file}: ${summary.busyMs} ms busy of a ${summary.windowMs} ms window; ` +
      `a plugin frame on the synchronous stack in ${summary.pluginInclusivePct}% of busy time, plugin's own code ${summary.pluginSelfPct}% ` +
      '(work the plugin awaits, such as SQL, runs on stacks of its own and is not counted there)',
    '  self time by package: ' + summary.byPackage.map((p) => `${p.package} ${p.pct}%`).join(', '),
    '  top functions by self time:',
    ...summary.topFunctions.map((f) => `    ${String(f.pct).padStart(5)}%  ${String(f.selfMs).padStart(8)} ms  ${f.function}  ${f.where}`),
  ];
  return lines.join('\n');
}
