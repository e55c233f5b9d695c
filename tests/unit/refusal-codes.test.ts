/**
 * The refusal table (server/src/pipeline/refusal-codes.ts) lists every code the
 * server uses, with the status it answers with (call sites name the code only): docs/refusals.md is
 * generated from it, so a code added at a call site must be added there too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';

const SERVER = resolve(__dirname, '..', '..', 'server', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const code = sources(SERVER).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

test('every code a call site refuses with is in the table, and no call site restates a status', () => {
  let sites = 0;
  for (const { path, text } of code) {
    for (const m of text.matchAll(/new Refusal\(\s*'([a-z-]+)',\s*([^\s,]+)/g)) {
      sites += 1;
      const entry = REFUSAL_CODES[m[1] as keyof typeof REFUSAL_CODES];
      assert.ok(entry, `${path}: code "${m[1]}" is not in REFUSAL_CODES`);
      // The status comes from the table: the argument after the code is the reason, never a number.
      assert.doesNotMatch(m[2], /^\d{3}$/, `${path}: "${m[1]}" restates a status; the table decides it`);
    }
    // signed-assertions/assertion-refusals.ts: refuse(code) builds the Refusal from the code alone.
    for (const m of text.matchAll(/\brefuse\(\s*'([a-z-]+)'/g)) {
      sites += 1;
      const entry = REFUSAL_CODES[m[1] as keyof typeof REFUSAL_CODES];
      assert.ok(entry, `${path}: code "${m[1]}" is not in REFUSAL_CODES`);
      assert.equal(entry.status, m[1] === 'assertion-malformed' ? 400 : 403, `${path}: status of "${m[1]}"`);
    }
  }
  assert.ok(sites > 30, `found only ${sites} call sites: did the pattern of the call sites change?`);
});

test('a public message is written once: no call site repeats another\'s literal sentence', () => {
  const counts = new Map<string, number>();
  for (const { text } of code) {
    for (const m of text.matchAll(/new Refusal\([^;]*?,\s*'([A-Z][^']*\.)'\s*,?\s*\)/gs)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  assert.ok(counts.size > 10, `found only ${counts.size} public messages: did the pattern of the call sites change?`);
  assert.doesNotMatch(code.map(({ text }) => text).join('\n'), /'The identity sent by the proxy is not valid\.'[\s\S]*'The identity sent by the proxy is not valid\.'/);
});

test('every meaning and hint is fixed text in sentences, naming no request data', () => {
  for (const [name, entry] of Object.entries(REFUSAL_CODES)) {
    for (const text of [entry.meaning, entry.hint]) {
      assert.match(text, /^[`A-Z].*[.)?]$/s, `${name}: sentences`);
      assert.doesNotMatch(text, /\$\{|\n|undefined|null/, `${name}: fixed text`);
    }
  }
});
