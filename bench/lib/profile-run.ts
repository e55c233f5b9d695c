/**
 * When a goal is missed (full mode) or with --profile: one more run of the A
 * side in a Strapi started with `node --cpu-prof`; only the measured window
 * of the profile is summarized.
 */
import { ADMIN, B4_CONCURRENCY, CEILING_PATH, HEADER, type BenchContext } from './bench';
import { latency, provisionWave, throughput } from './load';
import { profilePath } from './processes';
import { summarizeProfile, type ProfileSummary } from './profile';
import { bootServer, type Resources } from './servers';
import { articles, handOff, me, strictBearer } from './setup';

export interface ProfileRun {
  readonly id: string;
  readonly summary?: ProfileSummary;
  /** B4 only: Strapi's ceiling, profiled in the same process right after the plugin's wave. */
  readonly ceiling?: ProfileSummary;
  /** How many sign-ins each window served (B4), for CPU per sign-in. */
  readonly signIns?: number;
  readonly error?: string;
}

export async function profile(ctx: BenchContext, resources: Resources, results: string, id: string): Promise<ProfileRun> {
  const { plan } = ctx;
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}-${ctx.db}.cpuprofile`;
  ctx.log(`${ctx.elapsed().padStart(5)}  ${id}: profiling the A side (node --cpu-prof)…`);
  const { proc } = await bootServer(resources, id === 'B4' ? 'provision' : 'strict', 1, { dir: results, name });
  try {
    let warm: () => Promise<unknown>;
    let measured: () => Promise<unknown>;
    if (id === 'B1' || id === 'B2' || id === 'B5') {
      const target =
        id === 'B1' ? articles(proc) : id === 'B2' ? me(proc, { [HEADER]: ADMIN.email }) : await strictBearer(proc);
      warm = () => throughput(target, plan.warmSeconds, plan.connections);
      measured = () => throughput(target, plan.roundSeconds, plan.connections);
    } else if (id === 'B3') {
      warm = () => latency(handOff(proc), plan.signInWarm);
      measured = () => latency(handOff(proc), plan.signIns);
    } else {
      const wave = (tag: string, n: number) =>
        provisionWave(proc.origin, HEADER, Array.from({ length: n }, (_, i) => `prof-${tag}-${i}@bench.example`), B4_CONCURRENCY);
      warm = () => wave('warm', plan.b4Warm);
      measured = () => wave('measured', plan.b4Identities);
    }
    await warm(); // outside the window
    const now = () => Number(process.hrtime.bigint() / 1000n);
    const from = now();
    await measured();
    const to = now();
    // B4: the same number of accounts made by Strapi's ceiling route in the same process, in a window of its own.
    let ceilingWindow: [number, number] | null = null;
    if (id === 'B4') {
      const ceilingWave = (tag: string, n: number) =>
        provisionWave(proc.origin, HEADER, Array.from({ length: n }, (_, i) => `prof-ceiling-${tag}-${i}@bench.example`), B4_CONCURRENCY, CEILING_PATH);
      await ceilingWave('warm', plan.b4Warm);
      const start = now();
      await ceilingWave('measured', plan.b4Identities);
      ceilingWindow = [start, now()];
    }
    await proc.stop(60_000); // the profile is written on exit
    const file = profilePath(results, name);
    if (!file) return { id, error: `no profile written (${name})` };
    return {
      id,
      summary: summarizeProfile(file, from, to),
      ...(ceilingWindow && { ceiling: summarizeProfile(file, ...ceilingWindow), signIns: plan.b4Identities }),
    };
  } catch (error) {
    return { id, error: (error as Error).message };
  } finally {
    await proc.stop();
  }
}
