/**
 * The pure parts of the second attack pass's findings (attack2 README):
 * - R2-1 (T29/T10): with aws-alb, oidc or custom and claims.identity the e-mail claim, an
 *   address becomes an identity (which linkByEmail links, a Super Admin's too) only when the
 *   token says email_verified true — a missing one is refused, and an address from a claim
 *   other than "email" is verified by nobody. Cloudflare Access, IAP and Pomerium unchanged.
 * - R2-3 (T26): vouched refusals of one identity and reason from many peers fold into one
 *   row per window (the first gets its own row at once); different identities each get theirs.
 * - R2-4 (T27): every format character (\p{Cf}) but U+200C/U+200D, the Hangul fillers,
 *   U+034F, U+180B–U+180F and the variation selectors are refused in names and groups,
 *   and escaped in log lines.
 * Against Strapi: tests/integration/attack-regressions-round2.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import type { AssertionSettings } from '../../server/src/signed-assertions/assertion-settings';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { FORBIDDEN_IN_VALUE } from '../../server/src/pipeline/text-values';
import { escapeLogText } from '../../server/src/pipeline/log-text';
import { REFUSAL_REPEAT_MS, REFUSAL_ROWS_PER_WINDOW } from '../../server/src/strapi/activity/activity-log';
import { createRefusalBudget, type RefusalLike } from '../../server/src/strapi/activity/refusal-budget';
import { refusedWith } from '../harness/refusals';
import { headers } from './fake-headers';

const ISSUER = 'https://idp.corp.example';
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const CLAIM_RULES = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: true } as const;
const UNVERIFYING: Record<string, AssertionSettings> = {
  oidc: { preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms' },
  custom: { preset: 'custom', header: 'X-Id', issuer: ISSUER, audience: 'cms', jwksUrl: 'https://idp.corp.example/jwks' },
  'aws-alb': { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER },
};
const ROOT = 'ROOT@CORP.EXAMPLE';

for (const [preset, settings] of Object.entries(UNVERIFYING)) {
  test(`R2-1 ${preset}, claims.identity "email": no email_verified is refused (assertion-email-unverified), only true or "true" identify`, () => {
    const rules = compileSignedRules({ ...settings, claims: { identity: 'email' } });
    const payload = { iss: ISSUER, sub: 'u-1', email: ROOT, exp: 1 };
    const refusal = refusedWith('assertion-email-unverified', () => claimFromAssertion(payload, rules, CLAIM_RULES));
    assert.match(refusal.reason, /no email_verified/);
    for (const value of [false, 'false', 'TRUE', 1, [true], null, 'yes'])
      refusedWith('assertion-email-unverified', () => claimFromAssertion({ ...payload, email_verified: value }, rules, CLAIM_RULES), JSON.stringify(value));
    for (const value of [true, 'true']) {
      const claim = claimFromAssertion({ ...payload, email_verified: value }, rules, CLAIM_RULES);
      assert.equal(claim.subject, 'root@corp.example');
      assert.equal(claim.source ?? 'header', 'header');
    }
  });

  test(`R2-1 ${preset}: an address from another claim (upn, preferred_username) is no identity and links nothing, whatever email_verified says`, () => {
    for (const name of ['upn', 'preferred_username']) {
      const asIdentity = compileSignedRules({ ...settings, claims: { identity: name, email: name } });
      const payload = { iss: ISSUER, sub: 'u-1', email: 'me@attacker.example', email_verified: true, [name]: ROOT, exp: 1 };
      refusedWith('assertion-email-unverified', () => claimFromAssertion(payload, asIdentity, CLAIM_RULES), name);
      // identity sub, e-mail from that claim: "<iss> <sub>", and the address does not link.
      const asEmail = compileSignedRules({ ...settings, claims: { identity: 'sub', email: name } });
      const claim = claimFromAssertion(payload, asEmail, CLAIM_RULES);
      assert.equal(claim.source, 'assertion');
      assert.equal(claim.emailLinks, false, `${name}: email_verified speaks for "email" only`);
      assert.match(String(claim.emailLinkRefusal), /speaks only for the claim "email"/);
    }
    // identity "email", e-mail from another claim: an opaque "<iss> <value>" identity, never a header one.
    const split = compileSignedRules({ ...settings, claims: { identity: 'email', email: 'upn' } });
    const claim = claimFromAssertion({ iss: ISSUER, email: ROOT, upn: 'x@corp.example', exp: 1 }, split, CLAIM_RULES);
    assert.equal(claim.source, 'assertion');
    assert.equal(claim.emailLinks, false);
  });
}

test('R2-1 cloudflare-access, google-iap, pomerium: the proxy verifies the address; no email_verified still identifies', () => {
  const presets: AssertionSettings[] = [
    { preset: 'cloudflare-access', team: 'acme', audience: 'aud' },
    { preset: 'google-iap', projectNumber: '123', backendServiceId: '456' },
    { preset: 'pomerium', routeDomain: 'cms.example.com' },
  ];
  for (const settings of presets) {
    const claim = claimFromAssertion({ iss: ISSUER, email: 'Jane@Corp.example', exp: 1 }, compileSignedRules(settings), CLAIM_RULES);
    assert.equal(claim.subject, 'jane@corp.example', settings.preset);
    assert.equal(claim.source ?? 'header', 'header');
    refusedWith('assertion-email-unverified', () => claimFromAssertion({ iss: ISSUER, email: 'jane@corp.example', email_verified: false, exp: 1 }, compileSignedRules(settings), CLAIM_RULES));
  }
});

test('cloudflare-access, google-iap, pomerium vouch for the claim "email" only: an identity from upn or preferred_username is refused without a verified address', () => {
  const presets: AssertionSettings[] = [
    { preset: 'cloudflare-access', team: 'acme', audience: 'aud' },
    { preset: 'google-iap', projectNumber: '123', backendServiceId: '456' },
    { preset: 'pomerium', routeDomain: 'cms.example.com' },
  ];
  for (const settings of presets) {
    for (const name of ['upn', 'preferred_username']) {
      const rules = compileSignedRules({ ...settings, claims: { identity: name, email: name } });
      const payload = { iss: ISSUER, email: 'mallory@attacker.example', [name]: ROOT, exp: 1 };
      refusedWith('assertion-email-unverified', () => claimFromAssertion(payload, rules, CLAIM_RULES), `${settings.preset} ${name}`);
      refusedWith('assertion-email-unverified', () => claimFromAssertion({ ...payload, email_verified: true }, rules, CLAIM_RULES), `${settings.preset} ${name} verified`);
    }
  }
});

function budget() {
  let clock = 1_000_000;
  const refusals = createRefusalBudget<RefusalLike>({ now: () => clock, windowMs: REFUSAL_REPEAT_MS, rowsPerWindow: REFUSAL_ROWS_PER_WINDOW, memoLimit: 10_000 });
  return { refusals, advance: (ms: number) => (clock += ms) };
}

test('R2-3 a vouched identity refused from 300 peers: one row now, one fold (count, peers, latest peer) when the window ends', () => {
  const { refusals, advance } = budget();
  const admissions = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const { admission } = refusals.admit({ reason: 'unknown-user', peer: `127.${40 + (i % 50)}.${Math.floor(i / 50)}.${2 + i}`, identity: 'mallory@corp.example' }, true);
    admissions.set(admission, (admissions.get(admission) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(admissions), { row: 1, folded: 299 });
  // The same peer again is an exact repeat, not counted.
  assert.equal(refusals.admit({ reason: 'unknown-user', peer: '127.40.0.2', identity: 'mallory@corp.example' }, true).admission, 'repeat');
  // Another identity, and another reason, still get their rows.
  assert.equal(refusals.admit({ reason: 'unknown-user', peer: '127.40.0.2', identity: 'eve@corp.example' }, true).admission, 'row');
  assert.equal(refusals.admit({ reason: 'blocked-user', peer: '127.41.0.3', identity: 'mallory@corp.example' }, true).admission, 'row');
  assert.equal(refusals.pending(), true);
  advance(REFUSAL_REPEAT_MS);
  const ended = refusals.drainIfEnded();
  assert.equal(ended?.identityFolds.length, 1);
  const [fold] = ended!.identityFolds;
  assert.equal(fold.count, 299);
  assert.equal(fold.peers.size, 299);
  assert.equal(fold.latest.peer, `127.${40 + (299 % 50)}.${Math.floor(299 / 50)}.${2 + 299}`);
  assert.equal(ended!.folds.length, 0);
  // A new window: the identity's first refusal gets a row again.
  advance(REFUSAL_REPEAT_MS);
  assert.equal(refusals.admit({ reason: 'unknown-user', peer: '127.60.0.2', identity: 'mallory@corp.example' }, true).admission, 'row');
});

test('R2-3 vouched refusals without an identity (a listed proxy) stay per peer', () => {
  const { refusals } = budget();
  assert.equal(refusals.admit({ reason: 'secret-mismatch', peer: '10.0.0.1', identity: null }, true).admission, 'row');
  assert.equal(refusals.admit({ reason: 'secret-mismatch', peer: '10.0.0.2', identity: null }, true).admission, 'row');
  assert.equal(refusals.admit({ reason: 'secret-mismatch', peer: '10.0.0.1', identity: null }, true).admission, 'repeat');
});

const INVISIBLE = ['\u180e', '\u200b', '\u00ad', '\u034f', '\u115f', '\u1160', '\u3164', '\uffa0', '\u206a', '\u{e0001}', '\u{e0041}', '\u180b', '\ufe0f', '\u{e0100}', '\u{e01ef}', '\u2061', '\u202e'];

test('R2-4 every format character and invisible filler is refused in a value; U+200C/U+200D and ordinary text are not', () => {
  for (const c of INVISIBLE) assert.ok(FORBIDDEN_IN_VALUE.test(`Ev${c}e`), `U+${c.codePointAt(0)!.toString(16)}`);
  for (const ok of ['Jane', 'Zoë', 'क्‍ष', 'می‌خواهم', '山田', 'O\'Brien-Smith', '👩‍💻']) assert.equal(FORBIDDEN_IN_VALUE.test(ok), false, ok);
});

test('R2-4 names and groups with them are refused (forbidden-character), a U+FEFF at either end too (no longer trimmed: R3-4)', () => {
  const rules: AttributeRules = { emailHeader: null, firstNameHeader: 'x-first', lastNameHeader: null, groupsHeader: 'x-groups', groupsSeparator: ',' };
  for (const c of INVISIBLE) {
    const utf8 = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
    refusedWith('forbidden-character', () => readAttributes(headers(['x-first', utf8(`Ja${c}ne`)]), rules), `name U+${c.codePointAt(0)!.toString(16)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', utf8(`editors,adm${c}ins`)]), rules), `group U+${c.codePointAt(0)!.toString(16)}`);
  }
  const bom = Buffer.from('\ufeffJane\ufeff', 'utf8').toString('latin1');
  refusedWith('forbidden-character', () => readAttributes(headers(['x-first', bom]), rules));
});

test('R2-4 log lines escape them too (astral ones as their surrogate pair), the joiners as well', () => {
  assert.equal(escapeLogText('a\u200bb\u00adc'), 'a\\u200bb\\u00adc');
  assert.equal(escapeLogText('x\u{e0001}y'), 'x\\udb40\\udc01y');
  assert.equal(escapeLogText('x\u3164\u115fy'), 'x\\u3164\\u115fy');
  assert.equal(escapeLogText('क्‍ष می‌خ'), 'क्\\u200dष می\\u200cخ');
  for (const c of INVISIBLE) assert.doesNotMatch(escapeLogText(`a${c}b`), new RegExp(c, 'u'));
});
