/**
 * An offline link checker for the repository's Markdown: relative links must
 * name a file or folder that exists, and `#anchors` a heading (or an explicit
 * `<a id>` / `<a name>`) of the target file, with GitHub's slug rules.
 * External links (http:, https:, mailto:) are not fetched.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'results', 'artifacts']);

/** Every Markdown file of the repository (README.md, CHANGELOG.md, docs/**, bench/**, …), not node_modules. */
export function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(name) || name.startsWith('strapi-5.') ? [] : markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** The lines of a Markdown text outside fenced code blocks, with inline code spans blanked. */
function proseLines(text: string): Array<{ line: string; number: number }> {
  const out: Array<{ line: string; number: number }> = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, i) => {
    const opener = /^\s*(```+|~~~+)/.exec(line);
    if (opener) {
      if (fence === null) fence = opener[1][0];
      else if (opener[1][0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line, number: i + 1 });
  });
  return out;
}

/** GitHub's heading anchor: text content lower-cased, punctuation other than - and _ removed, spaces → -. */
export function slug(heading: string): string {
  // Code spans keep their text as is (`<iss>` is text there); elsewhere inline HTML tags are dropped.
  const text = heading
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part.slice(1, -1) : part.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '').replace(/\*\*|__|\*/g, '')))
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown text defines: heading slugs (with GitHub's -1, -2 for repeats) and explicit ids. */
export function anchors(text: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(m[1]);
  }
  return found;
}

export interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

/** The links of one Markdown text that do not resolve; `file` is its path (for relative targets). */
export function checkText(file: string, text: string, readTarget: (path: string) => string | null = readIfExists): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const own = anchors(text);
  for (const { line, number } of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    const targets = [
      ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const report = (problem: string): void => void broken.push({ file: relative(ROOT, file), line: number, target, problem });
      if (pathPart === '') {
        if (anchor !== undefined && !own.has(decodeURIComponent(anchor))) report(`no heading or anchor "#${anchor}" in this file`);
        continue;
      }
      const path = resolve(dirname(file), decodeURIComponent(pathPart));
      if (!existsSync(path)) {
        report(`${relative(ROOT, path)} does not exist`);
        continue;
      }
      if (anchor !== undefined && path.endsWith('.md')) {
        const other = readTarget(path);
        if (other !== null && !anchors(other).has(decodeURIComponent(anchor))) report(`no heading or anchor "#${anchor}" in ${relative(ROOT, path)}`);
      }
    }
  }
  return broken;
}

function readIfExists(path: string): string | null {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : null;
}

export function checkRepository(): BrokenLink[] {
  return markdownFiles().flatMap((file) => checkText(file, readFileSync(file, 'utf8')));
}

if (require.main === module) {
  const broken = checkRepository();
  for (const b of broken) console.log(`${b.file}:${b.line}: ${b.target} — ${b.problem}`);
  console.log(`${markdownFiles().length} Markdown files, ${broken.length} broken links`);
  if (broken.length > 0) process.exitCode = 1;
}
