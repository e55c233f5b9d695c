/**
 * The README's proxy recipes must be the configs the end-to-end tests run.
 * These helpers pull a fenced block out of the README and compare its
 * directives with a generated config, after swapping the README's example
 * values (host names, ports, paths, secrets) for the test's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const README = resolve(__dirname, '..', '..', 'README.md');

/** The first ```<lang> block after the `### <heading>` line (heading matched by its start). */
export function readmeBlock(heading: string, lang: string): string {
  const text = readFileSync(README, 'utf8');
  const at = text.split('\n').findIndex((line) => line.startsWith(`### ${heading}`));
  assert.ok(at >= 0, `README has no "### ${heading}" section`);
  const rest = text.split('\n').slice(at + 1).join('\n');
  const match = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'm').exec(rest);
  assert.ok(match, `README section "${heading}" has no \`\`\`${lang} block`);
  return match[1];
}

/** Every ```<lang> block between the `### <heading>` line and the next heading of level 2 or 3. */
export function readmeSectionBlocks(heading: string, lang: string): string[] {
  const lines = readFileSync(README, 'utf8').split('\n');
  const at = lines.findIndex((line) => line.startsWith(`### ${heading}`));
  assert.ok(at >= 0, `README has no "### ${heading}" section`);
  const end = lines.findIndex((line, i) => i > at && /^#{2,3} /.test(line));
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
 * Every directive of the README block, with `replacements` applied, appears
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
    assert.ok(found >= 0, `README directive not in the tested config (or out of order): ${line}\n--- tested config ---\n${config}`);
    from = found + 1;
  }
}
