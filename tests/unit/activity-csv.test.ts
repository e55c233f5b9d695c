import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvLine } from '../../server/src/strapi/activity/activity-csv';
import { toRow } from '../../server/src/strapi/activity/activity-log';
import { FIXTURE_MASK } from '../harness/masking';

test('CSV cells: plain text stays plain; commas, quotes and line breaks are quoted, quotes doubled', () => {
  assert.equal(csvCell('jane@corp.example'), 'jane@corp.example');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell({ via: 'hand-off' }), '"{""via"":""hand-off""}"');
  assert.equal(csvLine(['a', 'b,c']), 'a,"b,c"\r\n');
});

test('CSV cells a spreadsheet would run as a formula get a leading apostrophe', () => {
  for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) {
    assert.ok(csvCell(formula).replace(/^"/, '').startsWith(`'${formula[0]}`), `${JSON.stringify(formula)} → ${csvCell(formula)}`);
  }
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell('a=b'), 'a=b', 'only a leading sign matters');
});

test('a refused identity is stored masked, in the identity column and in the hint', () => {
  const row = toRow({
    kind: 'refused',
    reason: 'unknown-user',
    status: 403,
    identity: 'jane.doe@corp.example',
    hint: 'no admin user for "jane.doe@corp.example" and autoCreate is off',
    peer: '10.0.0.1',
  }, FIXTURE_MASK);
  const masked = FIXTURE_MASK.identity('jane.doe@corp.example');
  assert.match(masked, /^ja\*{6}@corp\.example #[0-9a-f]{6}$/);
  assert.equal(row.identity, masked);
  assert.equal(row.reason, 'unknown-user');
  assert.ok(!JSON.stringify(row).includes('jane.doe'), JSON.stringify(row));
  assert.deepEqual(JSON.parse(row.details!), { status: 403, hint: `no admin user for "${masked}" and autoCreate is off` });
});

test('other kinds keep the identity; the day is the UTC day of the time', () => {
  const row = toRow({ kind: 'sign-in', via: 'hand-off', identity: 'jane.doe@corp.example', userId: '7' }, FIXTURE_MASK, Date.parse('2026-01-31T23:59:59Z'));
  assert.equal(row.identity, 'jane.doe@corp.example');
  assert.equal(row.user_id, 7);
  assert.equal(row.day, '2026-01-31');
  assert.equal(row.reason, null);
});
