/**
 * The refusal table (server/src/pipeline/refusal-codes.ts) lists every code the
 * server uses, with the status its call sites answer with: docs/refusals.md is
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

test('every code a call site refuses with is in the table, with the status the call site answers', () => {
  let sites = 0;
  for (const { path, text } of code) {
    for (const m of text.matchAll(/new Refusal\(\s*'([a-z-]+)',\s*(\d{3})/g)) {
      sites += 1;
      const entry = REFUSAL_CODES[m[1] as keyof typeof REFUSAL_CODES];
      assert.ok(entry, `${path}: code "${m[1]}" is not in REFUSAL_CODES`);
      assert.equal(entry.status, Number(m[2]), `${path}: "${m[1]}" answers ${m[2]}, the table says ${entry.status}`);
    }
    // assertions/assertion-refusals.ts: refuse(code) answers 400 for assertion-malformed, 403 otherwise.
    for (const m of text.matchAll(/\brefuse\(\s*'([a-z-]+)'/g)) {
      sites += 1;
      const entry = REFUSAL_CODES[m[1] as keyof typeof REFUSAL_CODES];
      assert.ok(entry, `${path}: code "${m[1]}" is not in REFUSAL_CODES`);
      assert.equal(entry.status, m[1] === 'assertion-malformed' ? 400 : 403, `${path}: status of "${m[1]}"`);
    }
  }
  assert.ok(sites > 30, `found only ${sites} call sites: did the pattern of the call sites change?`);
});

test('every meaning and hint is fixed text in sentences, naming no request data', () => {
  for (const [name, entry] of Object.entries(REFUSAL_CODES)) {
    for (const text of [entry.meaning, entry.hint]) {
      assert.match(text, /^[`A-Z].*[.)?]$/s, `${name}: sentences`);
      assert.doesNotMatch(text, /\$\{|\n|undefined|null/, `${name}: fixed text`);
    }
  }
});
