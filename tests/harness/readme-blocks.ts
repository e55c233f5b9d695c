/**
 * The documented proxy recipes (docs/proxies/*.md) and configuration examples
 * (docs/assertions/*.md, the README's Quick start) must be the configs the
 * tests run. These helpers pull a fenced block out of a Markdown file and
 * compare its directives with a generated config, after swapping the
 * documentation's example values (host names, ports, paths, secrets) for the
 * test's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The line index of the heading (level 1 to 3) that starts with `heading`, in `file` (relative to the repository). */
function headingAt(file: string, heading: string): { lines: string[]; at: number } {
  const lines = readFileSync(resolve(ROOT, file), 'utf8').split('\n');
  const at = lines.findIndex((line) => /^#{1,3} /.test(line) && line.replace(/^#+ /, '').startsWith(heading));
  assert.ok(at >= 0, `${file} has no "${heading}" heading`);
  return { lines, at };
}

/** The first ```<lang> block after the heading that starts with `heading` in `file`. */
export function docBlock(file: string, heading: string, lang: string): string {
  const { lines, at } = headingAt(file, heading);
  const rest = lines.slice(at + 1).join('\n');
  const match = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'm').exec(rest);
  assert.ok(match, `${file} section "${heading}" has no \`\`\`${lang} block`);
  return match[1];
}

/** Every ```<lang> block between the heading that starts with `heading` and the next heading of level 1 to 3. */
export function docSectionBlocks(file: string, heading: string, lang: string): string[] {
  const { lines, at } = headingAt(file, heading);
  const end = lines.findIndex((line, i) => i > at && /^#{1,3} /.test(line));
  const section = lines.slice(at + 1, end === -1 ? undefined : end).join('\n');
  return [...section.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((match) => match[1]);
}

/** Directive lines: no comments, no blank lines, whitespace runs folded. */
function directives(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Every directive of the documented block, with `replacements` applied, appears
 * in `config` in the same order (the generated config may have more: server
 * root, modules, logs).
 */
export function assertReadmeMatches(block: string, config: string, replacements: ReadonlyArray<readonly [string, string]>): void {
  let readme = block;
  for (const [from, to] of replacements) readme = readme.split(from).join(to);
  const wanted = directives(readme);
  const have = directives(config);
  let from = 0;
  for (const line of wanted) {
    const found = have.indexOf(line, from);
    assert.ok(found >= 0, `documented directive not in the tested config (or out of order): ${line}\n--- tested config ---\n${config}`);
    from = found + 1;
  }
}
