/**
 * The pure parts of the third attack pass's findings:
 * - R3-3b: with aws-alb behind a listed proxy, made-up kids sent from the proxy's own address
 *   spent that network's reserved key-fetch allowance, and nothing else: the unused shared
 *   ceiling was not drawn on, so the ALB's rotated key was not fetched while the flood lasted.
 *   Now a reserved network whose own allowance is spent is budgeted like any other network
 *   (under the shared ceiling, which keeps the key server's bound), and an ALB token whose
 *   unverified header names another signer than albArn is refused before any key is looked up.
 * Against Strapi: tests/integration/attack-regressions-round3.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { errors } from 'jose';
import { KeysUnavailable } from '../../server/src/signed-assertions/assertion-refusals';
import {
  MAX_NEW_KID_FETCHES,
  RESERVED_KID_FETCHES_PER_NETWORK,
  UNKNOWN_KID_COOLDOWN_MS,
  UNKNOWN_KID_FETCHES,
  UNKNOWN_KID_FETCHES_PER_NETWORK,
  UnknownKids,
  type KeyRequester,
} from '../../server/src/signed-assertions/unknown-kids';
import type { KeyStore } from '../../server/src/signed-assertions/key-store';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { checkAssertionSettings, type AssertionSettings } from '../../server/src/signed-assertions/assertion-settings';
import { SettingsError, parseSettings } from '../../server/src/settings-schema/schema';
import { verifyAssertion } from '../../server/src/signed-assertions/verify-assertion';
import { Refusal } from '../../server/src/pipeline/refusal';
import { readAttributes, type AttributeRules } from '../../server/src/pipeline/attributes';
import { readAssertion } from '../../server/src/pipeline/plain-header-identity';
import { parseTrustedProxies } from '../../server/src/pipeline/trusted-proxies';
import { toClaim } from '../../server/src/pipeline/claim';
import { claimFromAssertion } from '../../server/src/signed-assertions/assertion-claim';
import { maskTagKey } from '../../server/src/pipeline/masking';
import { FIXTURE_ADMIN_SECRET, FIXTURE_MASK } from '../harness/masking';
import { refusedWith } from '../harness/refusals';
import { asLatin1, headers } from './fake-headers';

function clock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** Spends until refused; how many went through. */
function spendAll(kids: UnknownKids, requester: KeyRequester, tries = 100): number {
  let granted = 0;
  for (let i = 0; i < tries; i++) {
    try {
      kids.spend(requester);
      granted++;
    } catch (error) {
      assert.ok(error instanceof KeysUnavailable, String(error));
    }
  }
  return granted;
}

const untrusted = (network: string): KeyRequester => ({ network, reserved: false });
const proven = (network: string): KeyRequester => ({ network, reserved: true });
const listed = (network: string): KeyRequester => ({ network, reserved: true, listed: true });
const PROXY = '127.0.0.0/24';

// --- R3-3b (a): a spent reserved allowance falls back on the shared ceiling -----------------

test('R3-3b a listed network whose own allowance is spent still fetches under the shared ceiling (its network share of it)', () => {
  const kids = new UnknownKids(clock().now);
  assert.equal(spendAll(kids, listed(PROXY)), RESERVED_KID_FETCHES_PER_NETWORK + UNKNOWN_KID_FETCHES_PER_NETWORK);
  let others = 0;
  for (let net = 0; net < 50; net++) others += spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(others, UNKNOWN_KID_FETCHES - UNKNOWN_KID_FETCHES_PER_NETWORK, "the proxy's extra fetches came out of the shared ceiling");
});

test('R3-3b a proven network falls back the same way; its own allowance is still spent first', () => {
  const kids = new UnknownKids(clock().now);
  assert.equal(spendAll(kids, proven('192.0.2.0/24'), RESERVED_KID_FETCHES_PER_NETWORK), RESERVED_KID_FETCHES_PER_NETWORK);
  let others = 0;
  for (let net = 0; net < 50; net++) others += spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(others, UNKNOWN_KID_FETCHES, 'the own allowance did not touch the shared ceiling');
  assert.equal(spendAll(kids, proven('192.0.2.0/24')), 0, 'own allowance and shared ceiling both spent');
});

test('R3-3b with the shared ceiling spent by others, a reserved network past its own allowance is refused, and the log line says both are spent', () => {
  const kids = new UnknownKids(clock().now);
  for (let net = 0; net < 50; net++) spendAll(kids, untrusted(`198.51.${net}.0/24`));
  assert.equal(spendAll(kids, listed(PROXY)), RESERVED_KID_FETCHES_PER_NETWORK);
  assert.throws(
    () => kids.spend(listed(PROXY)),
    (error: unknown) => error instanceof KeysUnavailable && /network 127\.0\.0\.0\/24 .*own allowance .*shared/.test(error.message),
  );
});

test('R3-3b the key server bound still holds with the fallback: at most MAX_NEW_KID_FETCHES per cooldown, reserved networks spending first', () => {
  const { now, advance } = clock();
  const kids = new UnknownKids(now);
  for (let period = 0; period < 4; period++) {
    let granted = 0;
    for (let net = 0; net < 300; net++) {
      granted += spendAll(kids, listed(`10.${period}.${net % 256}.0/24`), 10);
      granted += spendAll(kids, proven(`100.${64 + period}.${net % 256}.0/24`), 10);
      granted += spendAll(kids, untrusted(`198.${period}.${net % 256}.0/24`), 10);
    }
    assert.ok(granted <= MAX_NEW_KID_FETCHES, `period ${period}: ${granted} fetches`);
    if (period === 0) assert.equal(granted, MAX_NEW_KID_FETCHES, 'every allowance is used at first');
    advance(UNKNOWN_KID_COOLDOWN_MS);
  }
});

// --- R3-3b (b): aws-alb fetches keys only for tokens its load balancer signed -----------------

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188';
const OTHER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/0123456789abcdef';
const ISSUER = 'https://idp.corp.example';
const ALB = compileSignedRules({ preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER, jwksUrl: 'https://keys.invalid/pem/' });

/** A well-formed ALB token naming a kid nobody published, with a signature nobody made. */
function madeUpAlbToken(header: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'ES256', kid: '8f7e6d5c-0000-4000-8000-000000000001', typ: 'JWT', ...header })}.${b64({ iss: ISSUER, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })}.AAAA`;
}

/** A key store that counts lookups and never has the key (each lookup would be a fetch). */
function countingStore(): KeyStore & { lookups: number } {
  const store = {
    lookups: 0,
    keyFor: async () => {
      store.lookups++;
      throw new errors.JWKSNoMatchingKey();
    },
    describe: () => ({ source: 'test', keys: 0, fetchedAt: null, lastError: null }),
  };
  return store;
}

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof Refusal, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

test('R3-3b aws-alb: a token naming another signer, or none, is refused (assertion-issuer) without looking up a key', async () => {
  for (const header of [{ signer: OTHER_ARN }, {}, { signer: ARN.toUpperCase() }, { signer: [ARN] }]) {
    const store = countingStore();
    const refusal = await refusalOf(verifyAssertion(madeUpAlbToken(header), ALB, store, listed(PROXY)));
    assert.equal(refusal.code, 'assertion-issuer', JSON.stringify(header));
    assert.equal(store.lookups, 0, `no key looked up for ${JSON.stringify(header)}`);
  }
});

test('R3-3b aws-alb: a refusal quotes an unverified header value cut short (its text is anyone\'s, and may be 16 KB long)', async () => {
  for (const header of [{ signer: 'x'.repeat(10_000) }, { signer: ARN, exp: 'y'.repeat(10_000) }]) {
    const refusal = await refusalOf(verifyAssertion(madeUpAlbToken(header), ALB, countingStore(), listed(PROXY)));
    assert.ok(refusal.reason.length < 600, `${refusal.code}: a reason of ${refusal.reason.length} characters`);
  }
});

test('R3-3b aws-alb: a token naming albArn as its signer gets its key looked up (a rotated key is fetched)', async () => {
  const store = countingStore();
  const refusal = await refusalOf(verifyAssertion(madeUpAlbToken({ signer: ARN }), ALB, store, listed(PROXY)));
  assert.equal(refusal.code, 'assertion-unknown-key');
  assert.equal(store.lookups, 1);
});

test('R3-3b the signer check is the ALB preset\'s: other presets look keys up whatever the header says', async () => {
  const oidc = compileSignedRules({ preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms', jwksUrl: 'https://keys.invalid/jwks' });
  const store = countingStore();
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${b64({ alg: 'RS256', kid: 'k', typ: 'JWT', signer: OTHER_ARN })}.${b64({ iss: ISSUER })}.AAAA`;
  assert.equal((await refusalOf(verifyAssertion(token, oidc, store, listed(PROXY)))).code, 'assertion-unknown-key');
  assert.equal(store.lookups, 1);
});

// --- R3-4: look-alike spaces and invisible text in identities, names and groups -----------------
// String#trim stripped every Unicode space (U+00A0, U+3000, U+2007…) and U+FEFF, so the group
// " admins\u00A0" (a distinct group at the identity provider, perhaps one its members can create)
// became "admins" and got the real group's roles. Only ASCII space and tab are trimmed now; other
// spaces, the invisible fillers below and values made of combining marks only are refused.

/** Characters that show as nothing or as a space: each refused anywhere in a value. */
const LOOK_ALIKE_BLANKS = [
  '\u00a0', '\u1680', '\u2000', '\u2007', '\u200a', '\u202f', '\u205f', '\u3000', // \p{Zs} but the ASCII space
  '\u2800', '\u17b4', '\u17b5', '\u{1d159}', '\ufffc', // blank-looking symbols and marks
  '\ufeff', // no longer trimmed at either end
];
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`;
const GROUP_RULES: AttributeRules = { emailHeader: 'x-email', firstNameHeader: 'x-first', lastNameHeader: null, groupsHeader: 'x-groups', groupsSeparator: ',' };

test('R3-4 a group with a look-alike blank at either end or inside is refused (forbidden-character), not trimmed onto the real group', () => {
  for (const c of LOOK_ALIKE_BLANKS) {
    for (const group of [` admins${c}`, `${c}admins`, `adm${c}ins`]) {
      refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', asLatin1(`editors,${group}`)]), GROUP_RULES), `${hex(c)} in ${JSON.stringify(group)}`);
    }
  }
  // A raw 0xA0 byte (not UTF-8) arrives as U+00A0 too.
  refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', 'editors, admins\xa0']), GROUP_RULES));
});

test('R3-4 names and e-mail addresses with a look-alike blank are refused too', () => {
  for (const c of LOOK_ALIKE_BLANKS) {
    refusedWith('forbidden-character', () => readAttributes(headers(['x-first', asLatin1(`Jane${c}`)]), GROUP_RULES), `name ${hex(c)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-email', asLatin1(`jane@corp.example${c}`)]), GROUP_RULES), `e-mail ${hex(c)}`);
  }
});

test('R3-4 a group or name made of combining marks only is refused; a mark on a letter is not', () => {
  for (const value of ['\u0301', '\u0301\u0308', '\u20dd', '\u0301 \u0301']) {
    refusedWith('forbidden-character', () => readAttributes(headers(['x-groups', asLatin1(`editors,${value}`)]), GROUP_RULES), `group ${JSON.stringify(value)}`);
    refusedWith('forbidden-character', () => readAttributes(headers(['x-first', asLatin1(value)]), GROUP_RULES), `name ${JSON.stringify(value)}`);
  }
  const read = readAttributes(headers(['x-groups', asLatin1('e\u0301quipe, cms editors')], ['x-first', asLatin1('Zoe\u0308')]), GROUP_RULES);
  assert.deepEqual(read.groups, ['e\u0301quipe', 'cms editors']);
  assert.equal(read.firstName, 'Zoe\u0308');
});

test('R3-4 ASCII spaces and tabs at either end are still trimmed', () => {
  const read = readAttributes(headers(['x-groups', '\t editors , admins\t'], ['x-first', ' \tJane Doe \t']), GROUP_RULES);
  assert.deepEqual(read.groups, ['editors', 'admins']);
  assert.equal(read.firstName, 'Jane Doe');
});

test('R3-4 the identity header: "alice" followed by U+00A0 is refused, not trimmed to "alice"', () => {
  const rules = { ...GROUP_RULES, header: 'remote-user', userField: 'username', emailDomain: 'corp.example', realms: [], linkByEmailHeader: false, proxies: parseTrustedProxies(['127.0.0.1/32']), secret: null } as const;
  for (const value of ['alice\xa0', '\xa0alice', asLatin1('alice\u3000'), asLatin1('alice\ufeff')]) {
    assert.throws(
      () => readAssertion({ headers: headers(['Remote-User', value]), remoteAddress: '127.0.0.1' }, rules),
      (error: unknown) => error instanceof Refusal && ['forbidden-character', 'non-ascii-identity'].includes(error.code),
      JSON.stringify(value),
    );
  }
  const ok = readAssertion({ headers: headers(['Remote-User', ' alice\t']), remoteAddress: '127.0.0.1' }, rules);
  assert.equal(ok.state === 'asserted' && ok.claim.subject, 'alice');
});

test('R3-4 a normalizeIdentity hook that returns a look-alike blank is refused, not trimmed', () => {
  const rules = { userField: 'username', emailDomain: 'corp.example', realms: [], linkByEmailHeader: false } as const;
  refusedWith('non-ascii-identity', () => toClaim('alice', rules, () => 'alice\u00a0'));
  // A result of one Unicode space is a value like any other (and not ASCII), not a blank the hook chose.
  refusedWith('non-ascii-identity', () => toClaim('alice', rules, () => '\u00a0'));
  refusedWith('invalid-identity', () => toClaim('alice', rules, () => ' \t'));
  assert.equal(toClaim('alice', rules, () => ' alice ').subject, 'alice');
});

test('R3-4 signed claims: identity, names and groups with a look-alike blank, or of combining marks only, are refused (assertion-malformed)', () => {
  const pomerium = compileSignedRules({ preset: 'pomerium', routeDomain: 'cms.example.com' });
  const CLAIMS = { userField: 'email', emailDomain: null, realms: [], linkByEmailHeader: false } as const;
  const base = { iss: 'cms.example.com', sub: 'u1', email: 'jane@corp.example', exp: 1 };
  for (const c of LOOK_ALIKE_BLANKS) {
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, groups: ['editors', ` admins${c}`] }, pomerium, CLAIMS), `group ${hex(c)}`);
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, groups: `editors, admins${c}` }, pomerium, CLAIMS), `group string ${hex(c)}`);
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, email: `jane@corp.example${c}` }, pomerium, CLAIMS), `identity ${hex(c)}`);
    refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, given_name: `Jane${c}` }, pomerium, CLAIMS), `name ${hex(c)}`);
  }
  refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, groups: ['\u0301\u0301'] }, pomerium, CLAIMS));
  refusedWith('assertion-malformed', () => claimFromAssertion({ ...base, family_name: '\u0308' }, pomerium, CLAIMS));
  const claim = claimFromAssertion({ ...base, email: ' jane@corp.example\t', groups: [' admins ', 'e\u0301quipe'] }, pomerium, CLAIMS);
  assert.equal(claim.subject, 'jane@corp.example');
  assert.deepEqual(claim.attributes.groups, ['admins', 'e\u0301quipe']);
});

// --- masked identities: two people whose masks looked alike could not be told apart ------------

test('masked identities carry a short stable tag of the value: look-alike masks of different people differ', () => {
  const maskIdentity = FIXTURE_MASK.identity;
  const tag = (value: string) => createHmac('sha256', maskTagKey(FIXTURE_ADMIN_SECRET)).update(value).digest('hex').slice(0, 6);
  assert.equal(maskIdentity('jane@corp.example'), `ja**@corp.example #${tag('jane@corp.example')}`);
  assert.notEqual(maskIdentity('jane@corp.example'), maskIdentity('jack@corp.example'));
  assert.notEqual(maskIdentity('mallory'), maskIdentity('malware'));
  assert.equal(maskIdentity('jane@corp.example'), maskIdentity('jane@corp.example'), 'stable: one person\'s rows stay recognisable');
  const hint = FIXTURE_MASK.hint('no admin user for "jane@corp.example"; jack@corp.example is linked to "jsmith"', 'jane@corp.example');
  assert.equal(hint, `no admin user for "${maskIdentity('jane@corp.example')}"; ${maskIdentity('jack@corp.example')} is linked to "${maskIdentity('jsmith')}"`);
});

// --- settings: the identity from the claim "email" with the address from another claim ----------
// claims { identity: "email", email: "upn" } made the claim "email" an opaque identity ("<iss> <email>")
// that no email_verified check guards (that check is for an identity that is the e-mail claim), with
// the address from a claim nobody verifies: refused when the settings are saved or the app boots.

test('settings: claims.identity "email" with claims.email another claim is refused with an operator-worded error', () => {
  const presets: AssertionSettings[] = [
    { preset: 'oidc', header: 'X-Id', issuer: ISSUER, audience: 'cms' },
    { preset: 'aws-alb', region: 'eu-west-1', albArn: ARN, issuer: ISSUER },
    { preset: 'cloudflare-access', team: 'acme', audience: 'aud' },
    { preset: 'pomerium', routeDomain: 'cms.example.com' },
  ];
  for (const settings of presets) {
    for (const email of ['upn', 'preferred_username', 'mail']) {
      const assertion = { ...settings, claims: { identity: 'email', email } };
      assert.throws(() => checkAssertionSettings(assertion), /\.claims\.identity "email" needs \.claims\.email "email"/, `${settings.preset} ${email}`);
      assert.throws(() => parseSettings({ assertion, trustedProxies: ['127.0.0.1/32'] }), (error: unknown) => error instanceof SettingsError && error.issues.some((issue) => issue.key === 'assertion'));
    }
    // The preset's identity claim counts: Cloudflare Access, IAP and Pomerium take the identity from "email".
    if (['cloudflare-access', 'pomerium'].includes(settings.preset)) {
      assert.throws(() => checkAssertionSettings({ ...settings, claims: { email: 'upn' } }), /\.claims\.identity "email" needs/, `${settings.preset} default identity`);
    } else {
      assert.doesNotThrow(() => checkAssertionSettings({ ...settings, claims: { email: 'upn' } }), `${settings.preset}: identity sub`);
    }
    // Still accepted: the e-mail as identity with its own claim, or another identity claim with any address claim.
    for (const claims of [{ identity: 'email' }, { identity: 'email', email: 'email' }, { identity: 'sub', email: 'upn' }, { identity: 'upn', email: 'email' }]) {
      assert.doesNotThrow(() => checkAssertionSettings({ ...settings, claims }), `${settings.preset} ${JSON.stringify(claims)}`);
    }
  }
});
