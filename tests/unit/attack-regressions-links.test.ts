/**
 * Pure parts of the attack-pass fixes on linking and text (F3, F4/F8, F5, F7, F11):
 * e-mail linking of signed assertions needs email_verified for every preset
 * whose identity is not the e-mail; logout tokens are not ID tokens; bidi and
 * invisible characters are refused in names and groups and escaped in logs;
 * the Super Admin gate's positive answer expires; aws-alb without clientId warns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '@strapi/strapi';
import type { JWTPayload } from 'jose';
import { compileSignedRules, albWithoutClientId } from '../../server/src/signed-assertions/signed-rules';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import type { AssertionSettings } from '../../server/src/signed-assertions/assertion-settings';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { escapeLogText } from '../../server/src/pipeline/log-text';
import { Refusal } from '../../server/src/pipeline/refusal';
import { createSuperAdminGate, NO_SUPER_ADMIN_MESSAGE, SUPER_ADMIN_SEEN_TTL_MS } from '../../server/src/strapi/accounts/super-admin-gate';
import { headers } from './fake-headers';

const ISSUER = 'https://idp.corp.example';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const CLAIM_RULES = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: true } as const;
const OPAQUE_PRESETS: readonly AssertionSettings[] = [
  { preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms' },
  { preset: 'custom', header: 'X-Id', issuer: ISSUER, audience: 'cms', hmacSecret: 'x'.repeat(32) },
  { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER },
];
const BIDI_AND_INVISIBLE = ['\u202e', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\ufeff', '\u2060', '\u2064'];

function refusal(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

test('F3: for every preset whose identity is not the e-mail, the e-mail links only with email_verified true', () => {
  const payload: JWTPayload = { iss: ISSUER, sub: 'fresh-sub', email: 'root@corp.example' };
  for (const settings of OPAQUE_PRESETS) {
    const rules = compileSignedRules(settings);
    const missing = claimFromAssertion(payload, rules, CLAIM_RULES);
    assert.equal(missing.emailLinks, false, `${settings.preset}: no email_verified links nothing`);
    assert.match(String(missing.emailLinkRefusal), /links an existing account only when the token says email_verified true, and this one has no email_verified/);
    for (const unverified of [false, 'false', 'TRUE', 1, [true], null]) {
      // Present and not true: refused outright, as before (assertion-email-unverified).
      const error = refusal(() => claimFromAssertion({ ...payload, email_verified: unverified }, rules, CLAIM_RULES));
      assert.equal(error.code, 'assertion-email-unverified', `${settings.preset}: email_verified ${JSON.stringify(unverified)}`);
    }
    for (const verified of [true, 'true']) {
      const claim = claimFromAssertion({ ...payload, email_verified: verified }, rules, CLAIM_RULES);
      assert.equal(claim.emailLinks, true, `${settings.preset}: email_verified ${JSON.stringify(verified)}`);
      assert.equal(claim.emailLinkRefusal, null);
    }
    const optedOut = claimFromAssertion({ ...payload, email_verified: true }, rules, { ...CLAIM_RULES, linkByEmailHeader: false });
    assert.equal(optedOut.emailLinks, false);
    assert.equal(optedOut.emailLinkRefusal, null, 'linkByEmailHeader off: accounts.ts says so itself');
  }
});

test('F7: bidi and invisible characters in signed names and groups are refused (assertion-malformed)', () => {
  const rules = compileSignedRules({ ...OPAQUE_PRESETS[0], claims: { groups: 'groups' } } as AssertionSettings);
  const base: JWTPayload = { iss: ISSUER, sub: 's', email: 'eve@corp.example', email_verified: true };
  for (const character of BIDI_AND_INVISIBLE) {
    const label = `U+${character.charCodeAt(0).toString(16)}`;
    for (const payload of [
      { ...base, given_name: `Eve${character}gnp.exe` },
      { ...base, family_name: `X${character}Y` },
      { ...base, family_name: `XY${character}` }, // at the end too: only ASCII spaces and tabs are trimmed
      { ...base, groups: ['editors', `a${character}b`] },
      { ...base, groups: `editors,a${character}b` },
    ]) {
      assert.equal(refusal(() => claimFromAssertion(payload, rules, CLAIM_RULES)).code, 'assertion-malformed', `${label} ${JSON.stringify(payload)}`);
    }
  }
  // Joiners that scripts need stay allowed.
  const persian = claimFromAssertion({ ...base, given_name: 'می\u200cخواهم' }, rules, CLAIM_RULES);
  assert.equal(persian.attributes.firstName, 'می\u200cخواهم');
});

test('F7: bidi and invisible characters in attribute headers are refused (forbidden-character)', () => {
  const rules: AttributeRules = { emailHeader: 'remote-email', firstNameHeader: 'remote-firstname', lastNameHeader: 'remote-lastname', groupsHeader: 'remote-groups', groupsSeparator: ',' };
  const utf8AsLatin1 = (value: string): string => Buffer.from(value, 'utf8').toString('latin1');
  for (const character of BIDI_AND_INVISIBLE) {
    for (const name of ['Remote-Firstname', 'Remote-Lastname', 'Remote-Groups']) {
      const error = refusal(() => readAttributes(headers([name, utf8AsLatin1(`Eve${character}gnp.exe`)]), rules));
      assert.equal(error.code, 'forbidden-character', `${name} U+${character.charCodeAt(0).toString(16)}`);
    }
  }
});

test('F7: the log escapes the bidi marks, the invisible operators and the byte-order mark', () => {
  assert.equal(escapeLogText('a\u200eb\u200fc\u061cd\ufeffe\u2060f\u2061g\u2064h'), 'a\\u200eb\\u200fc\\u061cd\\ufeffe\\u2060f\\u2061g\\u2064h');
  assert.equal(escapeLogText('zwnj\u200cok'), 'zwnj\\u200cok');
});

test('F11: aws-alb without clientId has a boot warning saying when to set it; with clientId or another preset none', () => {
  const alb = OPAQUE_PRESETS[2];
  assert.match(String(albWithoutClientId(alb)), /aws-alb without clientId .* set clientId to the client id of this app's rule/);
  assert.equal(albWithoutClientId({ ...alb, clientId: 'abc' }), null);
  assert.equal(albWithoutClientId(OPAQUE_PRESETS[0]), null);
});

/** A Strapi with only what the gate uses: a count of Super Admins and a logger. */
function fakeStrapi(state: { superAdmins: number; counts: number; warnings: string[] }): Core.Strapi {
  const fake = {
    db: { query: () => ({ count: async () => (state.counts++, state.superAdmins) }) },
    log: { warn: (line: string) => state.warnings.push(line) },
  };
  return fake as unknown as Core.Strapi;
}

test('F8: "a Super Admin exists" is believed for a minute, then asked again; "none" is never kept', async () => {
  const state = { superAdmins: 1, counts: 0, warnings: [] as string[] };
  let now = 1_000_000;
  const gate = createSuperAdminGate(fakeStrapi(state), { now: () => now });
  assert.equal(await gate.exists(), true);
  state.superAdmins = 0; // the only Super Admin was blocked
  now += SUPER_ADMIN_SEEN_TTL_MS - 1;
  assert.equal(await gate.exists(), true, 'within the lifetime: cached');
  assert.equal(state.counts, 1);
  now += 1;
  assert.equal(await gate.exists(), false, 'after the lifetime: asked again');
  await assert.rejects(gate.assertCreationAllowed('x'), (error: unknown) => error instanceof Refusal && error.code === 'no-super-admin');
  assert.equal(state.counts, 3, 'the negative answer is not cached');
  state.superAdmins = 1;
  assert.equal(await gate.exists(), true, 'a new Super Admin counts at once');
});

test('F4: the person is told only that Strapi is not set up; the operator gets the instructions, warned once until a Super Admin is seen', async () => {
  assert.doesNotMatch(NO_SUPER_ADMIN_MESSAGE, /register-admin|admin:create-user|Super Admin|\/admin/);
  const state = { superAdmins: 0, counts: 0, warnings: [] as string[] };
  const gate = createSuperAdminGate(fakeStrapi(state), { now: () => 0 });
  const error = await gate.assertCreationAllowed('newcomer@corp.example').then(
    () => assert.fail('expected a refusal'),
    (caught: unknown) => caught as Refusal,
  );
  assert.equal(error.code, 'no-super-admin');
  assert.equal(error.publicMessage, NO_SUPER_ADMIN_MESSAGE);
  assert.match(error.message, /\/admin\/auth\/register-admin/);
  await gate.exists();
  assert.equal(state.warnings.length, 1);
  assert.match(state.warnings[0], /no Super Admin .*\/admin\/auth\/register-admin.* open to anyone/);
  state.superAdmins = 1;
  await gate.exists();
  state.superAdmins = 0;
  await gate.exists(); // cached positive: no look, no warning
  assert.equal(state.warnings.length, 1);
});
