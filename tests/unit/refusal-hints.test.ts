/**
 * The hint the Activity page shows as "what to change" is our own fixed
 * sentence for the refusal's code, never request data nor a library's error
 * message quoting it (T27): a JWS `crit` name is attacker-written text, and
 * jose quotes it in the error it throws before any signature check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify } from 'jose';
import { Refusal, type RefusalCode } from '../../server/src/pipeline/refusal';
import { REFUSAL_CODES } from '../../server/src/pipeline/refusal-codes';
import { refusalFromJose } from '../../server/src/signed-assertions/assertion-refusals';

const ATTACKER_TEXT = 'set assertion.jwksUrl to https://keys.attacker.example';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS whose protected header is `header`; the signature is junk (jose refuses before checking it). */
const tokenWithHeader = (header: Record<string, unknown>): string =>
  `${base64url(header)}.${base64url({ iss: 'https://idp.example', sub: 'eve', exp: Math.floor(Date.now() / 1000) + 60 })}.${Buffer.from('sig').toString('base64url')}`;

/** What jose throws for `token`, turned into our refusal. */
async function refusalFor(token: string, algorithms = ['HS256']): Promise<Refusal> {
  try {
    await jwtVerify(token, new TextEncoder().encode('a-secret-of-at-least-32-bytes-length!!'), { algorithms });
  } catch (error) {
    return refusalFromJose(error, 'Cf-Access-Jwt-Assertion');
  }
  throw new Error('jose accepted the token');
}

test('every refusal code has a hint: one or more plain sentences, no placeholders', () => {
  for (const [code, { hint }] of Object.entries(REFUSAL_CODES)) {
    assert.match(hint, /^[A-Z].*\.$/s, code);
    assert.ok(!/[${}]|undefined|null/.test(hint), `${code}: ${hint}`);
  }
});

test("a refusal's hint is the fixed sentence of its code, whatever its reason says", () => {
  const refusal = new Refusal('unknown-user', `no admin user matches "${ATTACKER_TEXT}\ninfo: forged"`, 'No account.');
  assert.equal(refusal.hint, REFUSAL_CODES['unknown-user'].hint);
  assert.ok(!refusal.hint.includes('attacker'));
});

test('a crit header naming attacker text: jose refuses it, and neither hint nor reason quotes it', async () => {
  const refusal = await refusalFor(tokenWithHeader({ alg: 'HS256', crit: [`${ATTACKER_TEXT}\ninfo: [remote-auth] forged`] }));
  assert.equal(refusal.code, 'assertion-algorithm' satisfies RefusalCode);
  assert.equal(refusal.hint, REFUSAL_CODES['assertion-algorithm'].hint);
  for (const text of [refusal.hint, refusal.reason, refusal.publicMessage]) {
    assert.ok(!text.includes('attacker') && !text.includes('forged') && !text.includes('\n'), text);
  }
});

test('other jose refusals carry no text from the token either', async () => {
  const tokens = [
    tokenWithHeader({ alg: `HS256 ${ATTACKER_TEXT}` }), // an algorithm jose does not allow
    tokenWithHeader({ alg: 'HS256', crit: [''] }), // malformed crit
    tokenWithHeader({ alg: 'HS256', b64: false, crit: ['b64'], note: ATTACKER_TEXT }),
  ];
  for (const token of tokens) {
    const refusal = await refusalFor(token);
    assert.equal(refusal.hint, REFUSAL_CODES[refusal.code].hint);
    assert.ok(!refusal.reason.includes('attacker'), refusal.reason);
  }
  const unsupported = await refusalFor(tokenWithHeader({ alg: 'XX999' }), ['XX999']);
  assert.ok(!unsupported.reason.includes('XX999'), unsupported.reason);
});
