/**
 * The admin's translations: every English string has a French one, and every
 * refusal code and activity reason the Activity page can show has a label in
 * both (`remote-auth.activity.reason.<code>`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';
import { SUPPRESSED_REASON } from '../../server/src/strapi/activity/activity-log';

const DIR = resolve(__dirname, '..', '..', 'admin', 'src', 'translations');
const load = (lang: string): Record<string, string> => JSON.parse(readFileSync(resolve(DIR, `${lang}.json`), 'utf8'));

/** The keys of `reference` that `other` lacks or leaves empty. */
function untranslated(reference: Record<string, string>, other: Record<string, string>): string[] {
  return Object.keys(reference).filter((key) => typeof other[key] !== 'string' || other[key].trim() === '');
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();

test('fr.json has every key of en.json, with the same {placeholders}, and no key en.json lacks', () => {
  const en = load('en');
  const fr = load('fr');
  assert.deepEqual(untranslated(en, fr), [], 'keys of en.json missing from fr.json');
  assert.deepEqual(Object.keys(fr).filter((key) => !(key in en)), [], 'keys of fr.json unknown to en.json');
  for (const key of Object.keys(en)) assert.deepEqual(placeholders(fr[key]), placeholders(en[key]), `placeholders of ${key}`);
});

test('the check fails when a key is missing', () => {
  assert.deepEqual(untranslated({ a: 'A', b: 'B', c: 'C' }, { a: 'A fr', c: ' ' }), ['b', 'c']);
});

test('every refusal code and activity reason has a label in every language', () => {
  const reasons = [...Object.keys(REFUSAL_CODES), SUPPRESSED_REASON];
  for (const lang of ['en', 'fr']) {
    const strings = load(lang);
    const unlabelled = reasons.filter((code) => !strings[`remote-auth.activity.reason.${code}`]);
    assert.deepEqual(unlabelled, [], `${lang}.json: reasons without a label`);
  }
});
