import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSettings } from '../../server/src/settings-schema/compile';
import { defaultSettings, parseSettings } from '../../server/src/settings-schema/schema';
import { readAssertion } from '../../server/src/pipeline/plain-header-identity';
import { isTrustedPeer } from '../../server/src/pipeline/trusted-proxies';
import { isRefusalWith } from '../harness/refusals';
import { headers } from './fake-headers';

const SECRET = 'correct-horse-battery-staple-42';

test('defaults compile to the lower-case header, loopback proxies and no secret', () => {
  const settings = defaultSettings();
  const compiled = compileSettings(settings);
  assert.equal(compiled.settings, settings);
  assert.equal(compiled.assertion.header, 'remote-user');
  assert.deepEqual(compiled.assertion.proxies.entries, ['127.0.0.1/32', '::1/128']);
  assert.equal(compiled.assertion.secret, null);
  assert.equal(compiled.assertion.userField, 'email');
  assert.equal(compiled.assertion.emailDomain, null);
  assert.deepEqual(compiled.assertion.realms, []);
  assert.equal(compiled.assertion.linkByEmailHeader, false);
  assert.equal(compiled.assertion.emailHeader, null);
  assert.equal(compiled.assertion.firstNameHeader, null);
  assert.equal(compiled.assertion.lastNameHeader, null);
  assert.equal(compiled.assertion.groupsHeader, null);
  assert.equal(compiled.assertion.groupsSeparator, ',');
  assert.equal(isTrustedPeer(compiled.assertion.proxies, '127.0.0.1'), true);
  assert.equal(isTrustedPeer(compiled.assertion.proxies, '::1'), true);
  assert.equal(isTrustedPeer(compiled.assertion.proxies, '10.0.0.1'), false);
});

test('the Django header form and the secret header are canonicalised; the secret value is kept as is', () => {
  const compiled = compileSettings(
    parseSettings({
      header: 'HTTP_X_REMOTE_USER',
      sharedSecret: { header: 'X-Proxy-Secret', value: SECRET },
      userField: 'username',
      emailDomain: 'corp.example',
      realms: ['CORP.EXAMPLE'],
      linkByEmailHeader: true,
      trustedProxies: ['10.0.0.0/8'],
    }),
  );
  assert.equal(compiled.assertion.header, 'x-remote-user');
  assert.deepEqual(compiled.assertion.secret, { header: 'x-proxy-secret', value: SECRET });
  assert.equal(compiled.assertion.userField, 'username');
  assert.equal(compiled.assertion.emailDomain, 'corp.example');
  assert.deepEqual(compiled.assertion.realms, ['CORP.EXAMPLE']);
  assert.equal(compiled.assertion.linkByEmailHeader, true);
  assert.equal(isTrustedPeer(compiled.assertion.proxies, '10.1.2.3'), true);
  assert.equal(isTrustedPeer(compiled.assertion.proxies, '127.0.0.1'), false);
});

test('compiled rules drive readAssertion end to end', () => {
  const { assertion } = compileSettings(
    parseSettings({ header: 'X-Forwarded-Email', sharedSecret: { header: 'HTTP_X_PROXY_SECRET', value: SECRET } }),
  );
  assert.deepEqual(
    readAssertion(
      { headers: headers(['X-Proxy-Secret', SECRET], ['X-Forwarded-Email', 'Jane@Corp.Example']), remoteAddress: '127.0.0.1' },
      assertion,
    ),
    {
      state: 'asserted',
      claim: {
        subject: 'jane@corp.example',
        email: 'jane@corp.example',
        username: null,
        emailLinks: true,
        attributes: { email: null, firstName: null, lastName: null, groups: null },
      },
    },
  );
  assert.throws(
    () => readAssertion({ headers: headers(['X-Forwarded-Email', 'jane@corp.example']), remoteAddress: '127.0.0.1' }, assertion),
    isRefusalWith('secret-missing'),
  );
  assert.throws(
    () =>
      readAssertion(
        { headers: headers(['X-Proxy-Secret', SECRET], ['X-Forwarded-Email', 'jane@corp.example']), remoteAddress: '192.0.2.1' },
        assertion,
      ),
    isRefusalWith('untrusted-peer'),
  );
});

test('compiling settings that bypassed validation still refuses catch-all proxies and bad header names', () => {
  assert.throws(() => compileSettings({ ...defaultSettings(), trustedProxies: ['0.0.0.0/0'] }), TypeError);
  assert.throws(() => compileSettings({ ...defaultSettings(), trustedProxies: [] }), TypeError);
  assert.throws(() => compileSettings({ ...defaultSettings(), header: 'Remote_User' }), TypeError);
});

test('attribute header names are compiled to lower-case names, the Django form included', () => {
  const { assertion } = compileSettings(
    parseSettings({
      emailHeader: 'HTTP_REMOTE_EMAIL',
      firstNameHeader: 'Remote-FirstName',
      lastNameHeader: 'X-LASTNAME',
      groupsHeader: 'HTTP_X_FORWARDED_GROUPS',
      groupsSeparator: '|',
    }),
  );
  assert.equal(assertion.emailHeader, 'remote-email');
  assert.equal(assertion.firstNameHeader, 'remote-firstname');
  assert.equal(assertion.lastNameHeader, 'x-lastname');
  assert.equal(assertion.groupsHeader, 'x-forwarded-groups');
  assert.equal(assertion.groupsSeparator, '|');
});

test('compiled attribute rules drive readAssertion end to end', () => {
  const { assertion } = compileSettings(
    parseSettings({
      userField: 'username',
      emailDomain: 'corp.example',
      emailHeader: 'Remote-Email',
      firstNameHeader: 'HTTP_REMOTE_NAME',
      groupsHeader: 'Remote-Groups',
      groupsSeparator: ';',
    }),
  );
  assert.deepEqual(
    readAssertion(
      {
        headers: headers(
          ['Remote-User', 'jane'],
          ['Remote-Email', 'Jane.Doe@Mail.Example'],
          ['Remote-Name', 'Jane'],
          ['Remote-Groups', 'cms-editors; staff ;cms-editors'],
        ),
        remoteAddress: '127.0.0.1',
      },
      assertion,
    ),
    {
      state: 'asserted',
      claim: {
        subject: 'jane',
        email: 'jane.doe@mail.example',
        username: 'jane',
        emailLinks: false,
        attributes: { email: 'Jane.Doe@Mail.Example', firstName: 'Jane', lastName: null, groups: ['cms-editors', 'staff'] },
      },
    },
  );
  assert.throws(
    () =>
      readAssertion(
        { headers: headers(['Remote-User', 'jane'], ['Remote_Groups', 'admins'], ['Remote-Groups', 'staff']), remoteAddress: '127.0.0.1' },
        assertion,
      ),
    isRefusalWith('header-twin'),
  );
});

test('compiling settings that bypassed validation still refuses bad attribute header names', () => {
  for (const key of ['emailHeader', 'firstNameHeader', 'lastNameHeader', 'groupsHeader'] as const) {
    assert.throws(() => compileSettings({ ...defaultSettings(), [key]: 'Remote_Groups' }), TypeError, key);
  }
});
