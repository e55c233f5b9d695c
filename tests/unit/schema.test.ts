import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SettingsError,
  defaultSettings,
  parseSettings,
  schema,
  settingKeys,
  type SettingsIssue,
} from '../../server/src/settings-schema/schema';

const SECRET = 'x'.repeat(32);

/** Runs parseSettings and returns the issues it reports (fails if it does not throw a SettingsError). */
const issuesOf = (raw: unknown): readonly SettingsIssue[] => {
  try {
    parseSettings(raw);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail(`expected ${JSON.stringify(raw)} to be refused`);
};

const refusedOn = (raw: unknown, key: string, message?: RegExp): SettingsIssue => {
  const issues = issuesOf(raw);
  const issue = issues.find((candidate) => candidate.key === key);
  assert.ok(issue, `expected an issue for "${key}", got ${JSON.stringify(issues)}`);
  if (message) assert.match(issue.message, message);
  return issue;
};

// --- defaults ------------------------------------------------------------------

test('defaults', () => {
  assert.deepEqual(defaultSettings(), {
    enabled: true,
    mode: 'persistent',
    header: 'Remote-User',
    trustedProxies: ['127.0.0.1/32', '::1/128'],
    assertion: null,
    sharedSecret: null,
    userField: 'email',
    emailDomain: null,
    realms: [],
    autoCreate: false,
    maxNewUsersPerMinute: 100,
    defaultRoles: ['strapi-author'],
    linkByEmail: true,
    linkByEmailHeader: false,
    emailHeader: null,
    firstNameHeader: null,
    lastNameHeader: null,
    groupsHeader: null,
    groupsSeparator: ',',
    groupRoles: {},
    syncRoles: false,
    allowSuperAdminMapping: false,
    requireGroups: [],
    denyGroups: [],
    allowInactive: false,
    allowPasswordLogin: true,
    logoutRedirectUrl: null,
    activityRetentionDays: 90,
    syncInterval: null,
    deactivateAfterDays: null,
    normalizeIdentity: null,
    onLogin: null,
  });
});

test('security-relevant defaults: nothing is read from attribute headers and Super Admin is never mapped', () => {
  const defaults = defaultSettings();
  assert.equal(defaults.allowSuperAdminMapping, false);
  assert.equal(defaults.syncRoles, false);
  assert.equal(defaults.groupsHeader, null);
  assert.equal(defaults.emailHeader, null);
  assert.deepEqual(defaults.groupRoles, {});
  assert.deepEqual(defaults.requireGroups, []);
  assert.deepEqual(defaults.denyGroups, []);
});

test('an empty object parses to the defaults', () => {
  assert.deepEqual(parseSettings({}), defaultSettings());
});

test('undefined values are treated as absent', () => {
  assert.deepEqual(parseSettings({ header: undefined, autoCreate: undefined }), defaultSettings());
});

test('defaultSettings returns fresh lists each time', () => {
  const first = defaultSettings();
  first.trustedProxies.push('0.0.0.0/1');
  first.defaultRoles.push('strapi-super-admin');
  const second = defaultSettings();
  assert.deepEqual(second.trustedProxies, ['127.0.0.1/32', '::1/128']);
  assert.deepEqual(second.defaultRoles, ['strapi-author']);
  assert.deepEqual(parseSettings({}).trustedProxies, ['127.0.0.1/32', '::1/128']);
  first.requireGroups.push('admins');
  first.denyGroups.push('contractors');
  assert.deepEqual(defaultSettings().requireGroups, []);
  assert.deepEqual(defaultSettings().denyGroups, []);
});

test(
  'defaultSettings returns a fresh groupRoles mapping each time',
  
  () => {
    const first = defaultSettings();
    assert.notEqual(first.groupRoles, defaultSettings().groupRoles);
    (first.groupRoles as Record<string, string[]>)['*'] = ['strapi-super-admin'];
    try {
      assert.deepEqual(defaultSettings().groupRoles, {});
      assert.deepEqual(parseSettings({}).groupRoles, {});
      assert.deepEqual(schema.groupRoles.default, {});
    } finally {
      // Undo the pollution so later tests in this file see real defaults even while the bug exists.
      delete (schema.groupRoles.default as Record<string, string[]>)['*'];
      delete (first.groupRoles as Record<string, string[]>)['*'];
    }
  },
);

test('settingKeys lists every schema key', () => {
  assert.deepEqual([...settingKeys].sort(), Object.keys(schema).sort());
  assert.equal(settingKeys.length, 32);
});

test('a full valid configuration is returned as given', () => {
  const normalizeIdentity = (value: string) => value;
  const onLogin = () => undefined;
  const raw = {
    enabled: false,
    mode: 'strict',
    header: 'HTTP_X_REMOTE_USER',
    trustedProxies: ['10.0.0.0/8', 'fd00:1234::/32'],
    assertion: { preset: 'pomerium', routeDomain: 'cms.corp.example' },
    sharedSecret: { header: 'X-Proxy-Secret', value: SECRET },
    userField: 'username',
    emailDomain: 'corp.example',
    realms: ['CORP.EXAMPLE', 'EU'],
    autoCreate: true,
    maxNewUsersPerMinute: 0,
    defaultRoles: ['strapi-editor', 'Author'],
    linkByEmail: false,
    linkByEmailHeader: true,
    emailHeader: 'Remote-Email',
    firstNameHeader: 'HTTP_REMOTE_FIRSTNAME',
    lastNameHeader: 'Remote-Lastname',
    groupsHeader: 'X-Forwarded-Groups',
    groupsSeparator: '|',
    groupRoles: { 'cms-editors': ['strapi-editor'], 'cms-*': ['Author', 'strapi-editor'], admins: ['strapi-super-admin'] },
    syncRoles: true,
    allowSuperAdminMapping: true,
    requireGroups: ['cms-*', 'staff'],
    denyGroups: ['contractors'],
    allowInactive: true,
    allowPasswordLogin: false,
    logoutRedirectUrl: 'https://sso.example/logout',
    activityRetentionDays: 30,
    syncInterval: 300,
    deactivateAfterDays: 90,
    normalizeIdentity,
    onLogin,
  };
  assert.deepEqual(parseSettings(raw), raw);
});

// --- root and unknown keys -----------------------------------------------------------

test('the root must be an object', () => {
  for (const raw of [null, undefined, 'x', 42, [], [{}]]) {
    const issues = issuesOf(raw);
    assert.deepEqual(issues, [{ key: '(root)', message: 'must be an object' }], String(raw));
  }
});

test('unknown keys are refused', () => {
  refusedOn({ trustAll: true }, 'trustAll', /^is not an option of this plugin$/);
});

test('stripRealm (removed) fails with a message naming its replacement, realms (T19)', () => {
  for (const value of [true, false]) {
    const issue = refusedOn({ stripRealm: value }, 'stripRealm', /realms/);
    assert.match(issue.message, /was removed/);
    assert.match(issue.message, /realms: \["CORP\.EXAMPLE"\]/);
  }
  assert.match(
    (() => {
      try {
        parseSettings({ stripRealm: true });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })(),
    /^"stripRealm" was removed.*Use realms instead/,
  );
});

test('syncInterval and deactivateAfterDays: off (null) by default, and null turns them off again', () => {
  const defaults = defaultSettings();
  assert.equal(defaults.syncInterval, null);
  assert.equal(defaults.deactivateAfterDays, null);
  assert.equal(parseSettings({ syncInterval: null, deactivateAfterDays: null }).deactivateAfterDays, null);
  assert.equal(parseSettings({ syncInterval: 60, deactivateAfterDays: 30 }).syncInterval, 60);
});

test('realms, linkByEmailHeader and maxNewUsersPerMinute: safe defaults', () => {
  const defaults = defaultSettings();
  assert.deepEqual(defaults.realms, [], 'no realm is stripped unless listed');
  assert.equal(defaults.linkByEmailHeader, false, 'an attribute-header e-mail never links by default (CVE-2023-3128 class)');
  assert.equal(defaults.maxNewUsersPerMinute, 100);
  assert.equal(schema.maxNewUsersPerMinute.kind, 'number');
  assert.equal(schema.realms.kind, 'list');
  assert.equal(schema.linkByEmailHeader.kind, 'boolean');
  assert.equal(parseSettings({ maxNewUsersPerMinute: 0 }).maxNewUsersPerMinute, 0);
});

test('a case typo gets a "did you mean"', () => {
  refusedOn({ Header: 'X-User' }, 'Header', /is not an option of this plugin \(did you mean "header"\?\)/);
  refusedOn({ trustedproxies: ['10.0.0.1'] }, 'trustedproxies', /did you mean "trustedProxies"/);
  refusedOn({ AUTOCREATE: true }, 'AUTOCREATE', /did you mean "autoCreate"/);
});

test('SettingsError collects every issue and names each key in its message', () => {
  let error: unknown;
  try {
    parseSettings({ enabled: 'yes', autoCreate: 1, bogus: true });
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof SettingsError);
  assert.equal(error.name, 'SettingsError');
  assert.deepEqual(error.issues.map((issue) => issue.key).sort(), ['autoCreate', 'bogus', 'enabled']);
  assert.match(error.message, /"enabled" must be true or false, got "yes"/);
  assert.match(error.message, /"autoCreate" must be true or false, got number/);
  assert.match(error.message, /"bogus" is not an option of this plugin/);
});

// --- wrong types, field by field --------------------------------------------------------

const WRONG: Record<string, unknown[]> = {
  enabled: ['true', 1, null, [], {}],
  mode: ['strict-ish', 'Strict', 'STRICT', 'persistent ', 'none', 1, true, null, []],
  header: [42, true, [], {}, null, '', 'Remote_User', 'Remote User'],
  trustedProxies: ['127.0.0.1', 42, null, {}, [1], [null], [], ['*'], ['0.0.0.0/0'], ['::/0'], ['127.1'], ['10.0.0.1/8'], ['fe80::1%eth0']],
  assertion: [true, 'cloudflare-access', [], { preset: 'okta' }, { preset: 'pomerium' }, { preset: 'cloudflare-access', team: 'acme', audience: 'x', algorithms: ['none'] }],
  sharedSecret: [true, 42, [], { header: 'X-Proxy-Secret' }, { header: 'X-Proxy-Secret', value: 'short' }, { value: SECRET }],
  userField: ['uid', 'Email', 1, null],
  emailDomain: [42, true, [], 'not a domain', 'corp', 'corp.example.', '@corp.example'],
  realms: ['CORP.EXAMPLE', 42, null, {}, [1], [''], ['@CORP.EXAMPLE'], ['CORP EXAMPLE'], ['.CORP'], ['CORP..EXAMPLE'], ['CÖRP']],
  autoCreate: ['yes', 1, null],
  maxNewUsersPerMinute: ['100', -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1_000_001, null, true, []],
  defaultRoles: ['strapi-author', [''], ['  '], ['strapi-author', ''], [1], null, {}],
  linkByEmail: ['true', 1, null, []],
  linkByEmailHeader: ['true', 1, null, []],
  emailHeader: [42, true, [], {}, 'Remote_Email', 'Remote Email', 'Remote-Email:', 'Remote-User', 'HTTP_REMOTE_USER'],
  firstNameHeader: [42, true, [], {}, 'Remote_Firstname', 'Remote First', 'Remote-User'],
  lastNameHeader: [42, true, [], {}, 'Remote_Lastname', 'Remote Last', 'remote-user'],
  groupsHeader: [42, true, [], {}, 'Remote_Groups', 'Remote Groups', 'REMOTE-USER'],
  groupsSeparator: ['', null, 42, true, [], 'a', 'A', '1', ' ', '\t', ', ', 'a,', ',,,,'],
  groupRoles: [null, 'cms-editors', 42, true, [], [['g', ['r']]], { '': ['r'] }, { '  ': ['r'] }, { g: [] }, { g: 'strapi-editor' }, { g: [''] }, { g: [' '] }, { g: [1] }, { g: null }],
  syncRoles: ['true', 1, null],
  allowSuperAdminMapping: ['true', 1, null, 'yes'],
  requireGroups: ['admins', 42, null, {}, [1], [null]],
  denyGroups: ['contractors', 42, null, {}, [1], [null]],
  allowInactive: ['no', 0, null],
  allowPasswordLogin: ['true', 1, null],
  logoutRedirectUrl: [42, true, [], 'javascript:alert(1)', 'ftp://sso.example/', '//evil.example', 'sso.example/logout', '/\\evil.example'],
  activityRetentionDays: [0, -1, 3651, 1.5, '90', null, true],
  syncInterval: [0, -1, 1.5, '300', true, [], 31_536_001],
  deactivateAfterDays: [0, -1, 36_501, 1.5, '90', true, {}],
  normalizeIdentity: ['value => value', 1, true, {}],
  onLogin: ['() => {}', 1, true, {}, []],
};

test('the wrong-type table covers every option', () => {
  assert.deepEqual(Object.keys(WRONG).sort(), [...settingKeys].sort());
});

for (const [key, values] of Object.entries(WRONG)) {
  test(`wrong values for "${key}" are refused with an issue naming the key`, () => {
    for (const value of values) {
      const label = `${key} = ${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)}`;
      let error: unknown;
      try {
        parseSettings({ [key]: value });
      } catch (caught) {
        error = caught;
      }
      assert.ok(error instanceof SettingsError, `${label} should be refused`);
      const issue = error.issues.find((candidate) => candidate.key === key);
      assert.ok(issue, `${label}: expected an issue for "${key}", got ${JSON.stringify(error.issues)}`);
      assert.ok(issue.message.length > 0, label);
      assert.ok(error.message.includes(`"${key}" `), `${label}: message ${JSON.stringify(error.message)} names the key`);
    }
  });
}

// --- specific rules ---------------------------------------------------------------

test('the Django header form and dashed names are accepted', () => {
  assert.equal(parseSettings({ header: 'HTTP_X_REMOTE_USER' }).header, 'HTTP_X_REMOTE_USER');
  assert.equal(parseSettings({ header: 'X-Forwarded-Email' }).header, 'X-Forwarded-Email');
});

test('header "Remote_User" is refused with the header-name explanation', () => {
  refusedOn({ header: 'Remote_User' }, 'header', /"Remote_User" is not a usable header name/);
});

test('userField "username" requires emailDomain', () => {
  refusedOn({ userField: 'username' }, 'emailDomain', /is required when userField is "username"/);
  refusedOn({ userField: 'username', emailDomain: '' }, 'emailDomain', /is required/);
  const parsed = parseSettings({ userField: 'username', emailDomain: 'corp.example' });
  assert.equal(parsed.userField, 'username');
  assert.equal(parsed.emailDomain, 'corp.example');
});

test('emailDomain with userField "email" is allowed but optional', () => {
  assert.equal(parseSettings({ emailDomain: 'corp.example' }).emailDomain, 'corp.example');
  assert.equal(parseSettings({ emailDomain: null }).emailDomain, null);
});

test('emailDomain refusal quotes the bad value', () => {
  refusedOn({ emailDomain: 'corp.example.' }, 'emailDomain', /must be a domain name like "corp\.example", got "corp\.example\."/);
});

test('sharedSecret { header, value } is accepted and null disables it', () => {
  assert.deepEqual(parseSettings({ sharedSecret: { header: 'X-Proxy-Secret', value: SECRET } }).sharedSecret, {
    header: 'X-Proxy-Secret',
    value: SECRET,
  });
  assert.equal(parseSettings({ sharedSecret: null }).sharedSecret, null);
  assert.equal(parseSettings({ sharedSecret: { header: 'HTTP_X_PROXY_SECRET', value: 'y'.repeat(16) } }).sharedSecret?.value, 'y'.repeat(16));
});

test('sharedSecret with a value shorter than 16 characters is refused', () => {
  refusedOn({ sharedSecret: { header: 'X-Proxy-Secret', value: 'y'.repeat(15) } }, 'sharedSecret', /\.value must be a string of at least 16 characters/);
});

test('sharedSecret with an unusable header name or extra keys is refused', () => {
  refusedOn({ sharedSecret: { header: 'X_Proxy_Secret', value: SECRET } }, 'sharedSecret', /^\.header "X_Proxy_Secret" is not a usable header name/);
  refusedOn({ sharedSecret: { header: 'X-Proxy-Secret', value: SECRET, hash: 'sha256' } }, 'sharedSecret', /unknown key "hash"/);
});

test('sharedSecret on the identity header itself is refused, in any spelling', () => {
  refusedOn({ sharedSecret: { header: 'Remote-User', value: SECRET } }, 'sharedSecret', /\.header must differ from "header"/);
  refusedOn({ sharedSecret: { header: 'remote-user', value: SECRET } }, 'sharedSecret', /must differ/);
  refusedOn({ sharedSecret: { header: 'HTTP_REMOTE_USER', value: SECRET } }, 'sharedSecret', /must differ/);
  refusedOn({ header: 'HTTP_X_USER', sharedSecret: { header: 'X-User', value: SECRET } }, 'sharedSecret', /must differ/);
});

test('an invalid identity header does not crash the shared-secret comparison', () => {
  const issues = issuesOf({ header: 'Remote User', sharedSecret: { header: 'X-Proxy-Secret', value: SECRET } });
  assert.deepEqual(issues.map((issue) => issue.key), ['header']);
});

test('sharedSecret errors never echo the secret value (T15)', () => {
  const short = 'fifteen-chars!!';
  assert.equal(short.length, 15);
  let message = '';
  try {
    parseSettings({ sharedSecret: { header: 'X-Proxy-Secret', value: short } });
  } catch (error) {
    message = (error as Error).message;
  }
  assert.ok(message.length > 0);
  assert.ok(!message.includes(short), message);
});

test('trustedProxies: bad entries are refused with the entry named', () => {
  refusedOn({ trustedProxies: [] }, 'trustedProxies', /is empty/);
  refusedOn({ trustedProxies: ['127.0.0.1/32', '*'] }, 'trustedProxies', /entry "\*" would trust every client/);
  refusedOn({ trustedProxies: ['0.0.0.0/0'] }, 'trustedProxies', /entry "0\.0\.0\.0\/0" would trust every client/);
  refusedOn({ trustedProxies: ['::/0'] }, 'trustedProxies', /entry "::\/0" would trust every client/);
  refusedOn({ trustedProxies: ['127.1'] }, 'trustedProxies', /entry "127\.1" is not a dotted-quad/);
  refusedOn({ trustedProxies: ['0177.0.0.1'] }, 'trustedProxies', /entry "0177\.0\.0\.1"/);
  refusedOn({ trustedProxies: ['10.0.0.1/8'] }, 'trustedProxies', /host bits set/);
  refusedOn({ trustedProxies: ['fe80::1%eth0'] }, 'trustedProxies', /zone index/);
  refusedOn({ trustedProxies: '127.0.0.1/32' }, 'trustedProxies', /must be a list of strings/);
});

test('trustedProxies: good entries are kept verbatim', () => {
  assert.deepEqual(parseSettings({ trustedProxies: ['10.0.0.2', '::ffff:10.0.0.3', 'fd00:1234::/32'] }).trustedProxies, [
    '10.0.0.2',
    '::ffff:10.0.0.3',
    'fd00:1234::/32',
  ]);
});

test('defaultRoles may be empty (a user left without any role is refused at login) but must not name empty roles', () => {
  assert.deepEqual(parseSettings({ defaultRoles: [] }).defaultRoles, []);
  assert.deepEqual(parseSettings({ defaultRoles: [], groupRoles: { staff: ['strapi-editor'] } }).defaultRoles, []);
  refusedOn({ defaultRoles: [''] }, 'defaultRoles', /must not contain empty role names/);
  refusedOn({ defaultRoles: ['strapi-author', ' '] }, 'defaultRoles', /must not contain empty role names/);
  assert.deepEqual(parseSettings({ defaultRoles: ['strapi-editor'] }).defaultRoles, ['strapi-editor']);
});

test('logoutRedirectUrl: http(s) URLs and local paths are accepted', () => {
  for (const value of ['https://sso.example/logout', 'http://sso.example/logout?rd=/', '/signed-out', '/oauth2/sign_out?rd=https%3A%2F%2Fsso.example']) {
    assert.equal(parseSettings({ logoutRedirectUrl: value }).logoutRedirectUrl, value);
  }
  assert.equal(parseSettings({ logoutRedirectUrl: '' }).logoutRedirectUrl, null);
  assert.equal(parseSettings({ logoutRedirectUrl: null }).logoutRedirectUrl, null);
});

test('logoutRedirectUrl: javascript: and other schemes are refused', () => {
  refusedOn({ logoutRedirectUrl: 'javascript:alert(1)' }, 'logoutRedirectUrl', /must be an absolute http\(s\) URL or a path starting with "\/"/);
  refusedOn({ logoutRedirectUrl: 'JAVASCRIPT:alert(1)' }, 'logoutRedirectUrl');
  refusedOn({ logoutRedirectUrl: 'data:text/html,x' }, 'logoutRedirectUrl');
  refusedOn({ logoutRedirectUrl: '//evil.example/logout' }, 'logoutRedirectUrl');
  refusedOn({ logoutRedirectUrl: '/\\evil.example' }, 'logoutRedirectUrl');
});

test('mode accepts "persistent" and "strict", case-sensitively', () => {
  assert.equal(parseSettings({ mode: 'persistent' }).mode, 'persistent');
  assert.equal(parseSettings({ mode: 'strict' }).mode, 'strict');
  refusedOn({ mode: 'Persistent' }, 'mode', /must be one of "persistent", "strict", got "Persistent"/);
  refusedOn({ mode: 'Strict' }, 'mode', /must be one of "persistent", "strict", got "Strict"/);
});

// --- attribute headers, groups and roles ------------------------------------------------

const ATTRIBUTE_HEADER_KEYS = ['emailHeader', 'firstNameHeader', 'lastNameHeader', 'groupsHeader'] as const;

test('attribute headers: HTTP names and the Django form are accepted verbatim; empty or null means off', () => {
  for (const key of ATTRIBUTE_HEADER_KEYS) {
    assert.equal(parseSettings({ [key]: 'X-Attr' })[key], 'X-Attr', key);
    assert.equal(parseSettings({ [key]: 'HTTP_X_ATTR' })[key], 'HTTP_X_ATTR', key);
    assert.equal(parseSettings({ [key]: '' })[key], null, key);
    assert.equal(parseSettings({ [key]: null })[key], null, key);
  }
});

test('attribute headers: names with "_" are refused with the header-name explanation (T4)', () => {
  for (const key of ATTRIBUTE_HEADER_KEYS) {
    refusedOn({ [key]: 'Remote_Attr' }, key, /"Remote_Attr" is not a usable header name/);
  }
});

/** Every header the plugin reads, in the order parseSettings compares them. */
const HEADER_KEYS = ['header', 'sharedSecret', ...ATTRIBUTE_HEADER_KEYS] as const;
const withHeader = (key: (typeof HEADER_KEYS)[number], name: string): Record<string, unknown> =>
  key === 'sharedSecret' ? { sharedSecret: { header: name, value: SECRET } } : { [key]: name };

test('every header the plugin reads must differ from every other, in any spelling', () => {
  const spellings = ['X-Same', 'x-same', 'X-SAME', 'HTTP_X_SAME'];
  let pairs = 0;
  for (let i = 0; i < HEADER_KEYS.length; i++) {
    for (let j = i + 1; j < HEADER_KEYS.length; j++) {
      const [first, second] = [HEADER_KEYS[i], HEADER_KEYS[j]];
      const raw = { ...withHeader(first, spellings[(i + j) % 4]), ...withHeader(second, spellings[(i + j + 1) % 4]) };
      const issues = issuesOf(raw);
      const label = `${first} = ${second}`;
      assert.equal(issues.length, 1, `${label}: ${JSON.stringify(issues)}`);
      assert.equal(issues[0].key, second, label);
      const expected = second === 'sharedSecret' ? `.header must differ from "${first}"` : `must differ from "${first}"`;
      assert.equal(issues[0].message, expected, label);
      assert.ok(!JSON.stringify(issues).includes(SECRET), `${label}: the secret is not echoed`);
      pairs++;
    }
  }
  assert.equal(pairs, 15);
});

test('the identity header clashes with an attribute header under its default name too', () => {
  refusedOn({ groupsHeader: 'Remote-User' }, 'groupsHeader', /^must differ from "header"$/);
  refusedOn({ emailHeader: 'HTTP_REMOTE_USER' }, 'emailHeader', /^must differ from "header"$/);
});

test('each clashing header is reported, against the first one using the name', () => {
  const issues = issuesOf({ header: 'X-Id', emailHeader: 'X-Id', groupsHeader: 'x-id', firstNameHeader: 'X-Name', lastNameHeader: 'X-Name' });
  assert.deepEqual(issues, [
    { key: 'emailHeader', message: 'must differ from "header"' },
    { key: 'lastNameHeader', message: 'must differ from "firstNameHeader"' },
    { key: 'groupsHeader', message: 'must differ from "header"' },
  ]);
});

test('distinct header names are accepted together', () => {
  const parsed = parseSettings({
    header: 'X-Forwarded-User',
    sharedSecret: { header: 'X-Proxy-Secret', value: SECRET },
    emailHeader: 'X-Forwarded-Email',
    firstNameHeader: 'X-Forwarded-Given-Name',
    lastNameHeader: 'X-Forwarded-Family-Name',
    groupsHeader: 'X-Forwarded-Groups',
  });
  assert.equal(parsed.groupsHeader, 'X-Forwarded-Groups');
  // Names that merely share a prefix are different headers.
  assert.equal(parseSettings({ header: 'Remote-User', emailHeader: 'Remote-User-Email' }).emailHeader, 'Remote-User-Email');
});

test('groupsSeparator: 1-3 punctuation characters', () => {
  for (const value of [',', ';', '|', ':', '/', '||', ';;', '::', '%%%', '+']) {
    assert.equal(parseSettings({ groupsSeparator: value }).groupsSeparator, value, JSON.stringify(value));
  }
  refusedOn({ groupsSeparator: '||||' }, 'groupsSeparator', /must be 1-3 ASCII punctuation characters/);
  refusedOn({ groupsSeparator: 'x' }, 'groupsSeparator', /must be 1-3 ASCII punctuation characters/);
  refusedOn({ groupsSeparator: ' ' }, 'groupsSeparator', /must be 1-3 ASCII punctuation characters/);
  refusedOn({ groupsSeparator: '' }, 'groupsSeparator', /must not be empty/);
  refusedOn({ groupsSeparator: null }, 'groupsSeparator', /must not be empty/);
});

test(
  'groupsSeparator: control, format and non-ASCII letter characters are not punctuation either',
  
  () => {
    for (const value of ['\u0000', '\u0001', '\u007f', '\u200b', '\u00a0', 'é', 'ß']) {
      refusedOn({ groupsSeparator: value }, 'groupsSeparator', /must be 1-3 ASCII punctuation characters/);
    }
  },
);

test('groupRoles: a mapping of group patterns to non-empty role lists, copied', () => {
  const targets = ['strapi-editor', 'Author'];
  const raw = { 'cms-editors': targets, 'cms-*': ['strapi-author'], '*': ['Viewer'] };
  const parsed = parseSettings({ groupRoles: raw });
  assert.deepEqual(parsed.groupRoles, raw);
  assert.notEqual(parsed.groupRoles, raw);
  assert.notEqual(parsed.groupRoles['cms-editors'], targets);
  assert.deepEqual(parseSettings({ groupRoles: {} }).groupRoles, {});
});

test('groupRoles: refusals explain the expected shape', () => {
  refusedOn({ groupRoles: [] }, 'groupRoles', /must be an object like \{ "cms-editors": \["strapi-editor"\] \}, got an array/);
  refusedOn({ groupRoles: null }, 'groupRoles', /got null/);
  refusedOn({ groupRoles: { ' ': ['strapi-editor'] } }, 'groupRoles', /must not have an empty group name/);
  refusedOn({ groupRoles: { staff: [] } }, 'groupRoles', /"staff" must map to a non-empty list of role codes or names/);
  refusedOn({ groupRoles: { staff: 'strapi-editor' } }, 'groupRoles', /"staff" must map to a non-empty list/);
  refusedOn({ groupRoles: { staff: ['strapi-editor', ''] } }, 'groupRoles', /"staff" must map to a non-empty list/);
});

test('linkByEmail, syncRoles and allowSuperAdminMapping are booleans', () => {
  const parsed = parseSettings({ linkByEmail: false, syncRoles: true, allowSuperAdminMapping: true });
  assert.equal(parsed.linkByEmail, false);
  assert.equal(parsed.syncRoles, true);
  assert.equal(parsed.allowSuperAdminMapping, true);
});

test('requireGroups and denyGroups are lists of group patterns, copied', () => {
  const require = ['cms-*', 'Staff'];
  const parsed = parseSettings({ groupsHeader: 'Remote-Groups', requireGroups: require, denyGroups: ['contractors'] });
  assert.deepEqual(parsed.requireGroups, ['cms-*', 'Staff']);
  assert.notEqual(parsed.requireGroups, require);
  assert.deepEqual(parsed.denyGroups, ['contractors']);
  // Without a groups header no group can be checked.
  refusedOn({ requireGroups: ['cms-*'] }, 'requireGroups', /needs groupsHeader/);
  refusedOn({ denyGroups: ['contractors'] }, 'denyGroups', /needs groupsHeader/);
});

test('hooks accept functions', () => {
  const normalizeIdentity = (value: string) => value.toLowerCase();
  const onLogin = async () => undefined;
  const parsed = parseSettings({ normalizeIdentity, onLogin });
  assert.equal(parsed.normalizeIdentity, normalizeIdentity);
  assert.equal(parsed.onLogin, onLogin);
});

test('the input object is not mutated and lists are copied', () => {
  const proxies = ['10.0.0.1'];
  const raw = { trustedProxies: proxies };
  const parsed = parseSettings(raw);
  assert.notEqual(parsed.trustedProxies, proxies);
  parsed.trustedProxies.push('10.0.0.2');
  assert.deepEqual(proxies, ['10.0.0.1']);
  assert.deepEqual(Object.keys(raw), ['trustedProxies']);
});
