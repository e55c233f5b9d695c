/**
 * The generated parts of the docs (docs/configuration.md: options;
 * docs/refusals.md: refusal codes) are what `npm run docs` makes from the code
 * now, and the settings page's texts are the ones those docs quote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generated, optionsTable, refusalsTable, splice } from '../../scripts/generate-docs';
import { settingKeys } from '../../server/src/settings-schema/schema';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';

const ROOT = resolve(__dirname, '..', '..');

test('the committed docs are what `npm run docs` generates (run it after changing an option or a refusal code)', () => {
  for (const [file, committed, fresh] of generated()) {
    assert.equal(committed, fresh, `${file} differs from the code: run npm run docs and commit the result`);
  }
});

test('the generated tables name every option and every refusal code', () => {
  const options = optionsTable();
  for (const key of settingKeys) assert.match(options, new RegExp('^\\| `' + key + '` \\|', 'm'), `option ${key}`);
  const refusals = refusalsTable();
  for (const code of Object.keys(REFUSAL_CODES)) assert.ok(refusals.includes(`\`${code}\``), `refusal ${code}`);
});

test('splice replaces only what lies between the markers, and fails without them', () => {
  const text = 'before\n<!-- generated:x start -->\nold\n<!-- generated:x end -->\nafter\n';
  const out = splice(text, 'x', 'new', 'f.md');
  assert.match(out, /^before\n<!-- generated:x start -->\n[\s\S]*\nnew\n\n<!-- generated:x end -->\nafter\n$/);
  assert.doesNotMatch(out, /old/);
  assert.throws(() => splice('no markers', 'x', 'new', 'f.md'), /markers/);
});

/** `t('key', 'English text')` calls of the admin: [key, text]. */
function adminDefaults(): Array<[string, string, string]> {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
    });
  const out: Array<[string, string, string]> = [];
  for (const path of files(join(ROOT, 'admin', 'src'))) {
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*(['"`])([^'"`$]+)\1,\s*(['"])((?:\\.|(?!\3).)*)\3/g)) {
      out.push([path.slice(ROOT.length + 1), `remote-auth.${m[2]}`, m[4].replace(/\\(.)/g, '$1')]);
    }
  }
  return out;
}

test('the settings page shows the texts the docs quote: every t() default equals en.json, and every option has a label and a hint', () => {
  const en = JSON.parse(readFileSync(join(ROOT, 'admin', 'src', 'translations', 'en.json'), 'utf8')) as Record<string, string>;
  const calls = adminDefaults();
  assert.ok(calls.length > 200, `found only ${calls.length} t() calls`);
  for (const [file, key, text] of calls) assert.equal(en[key], text, `${file}: the fallback text of ${key} differs from en.json`);
  for (const key of settingKeys) {
    if (key === 'assertion') continue; // its fields have their own labels (remote-auth.assertion.field.*)
    assert.ok(en[`remote-auth.settings.${key}`], `en.json has no label for option ${key}`);
    assert.ok(en[`remote-auth.settings.${key}.hint`], `en.json has no hint for option ${key}`);
  }
});
