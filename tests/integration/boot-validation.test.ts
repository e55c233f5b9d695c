/**
 * Boots that go all the way, with the database: a valid configuration starts,
 * and the warnings a risky one gets. Each case boots a fresh Strapi process.
 * The configurations that stop Strapi at boot are in tests/boot/config-refusals.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootOnce } from '../harness/strapi';

/** Boots once; `log` is everything Strapi's logger wrote (stdout and stderr). */
const boot = (config: unknown, env: Record<string, string> = {}, nodeArgs: string[] = []) =>
  bootOnce({ config: config as Record<string, unknown>, env, nodeArgs });

test('the parser check follows serverOptions: the flag overridden by insecureHTTPParser: false boots', async () => {
  const { code, stderr } = await boot({}, { NODE_OPTIONS: '--insecure-http-parser', SERVER_HTTP_OPTIONS: JSON.stringify({ insecureHTTPParser: false }) });
  assert.equal(code, 0, stderr);
});

test('a valid configuration boots', async () => {
  const { code, stderr } = await boot({ trustedProxies: ['10.0.0.0/8', '::ffff:192.168.1.10', 'fd00:1234::/32'], autoCreate: true });
  assert.equal(code, 0, stderr);
});

// Strapi's logger writes warnings to stdout; the harness logs only errors unless STRAPI_LOG_LEVEL says otherwise.
const WARNINGS = { STRAPI_LOG_LEVEL: 'warn' };

test('boot warns when defaultRoles gives every new SSO user Super Admin', async () => {
  const { code, log } = await boot({ autoCreate: true, defaultRoles: ['strapi-super-admin'] }, WARNINGS);
  assert.equal(code, 0, log);
  assert.match(log, /\[remote-auth\] defaultRoles includes "strapi-super-admin": every new single sign-on user becomes a Super Admin/);
});

test('boot warns that groupRoles → Super Admin is ignored without allowSuperAdminMapping', async () => {
  const config = { groupsHeader: 'Remote-Groups', groupRoles: { 'cms-admins': ['Super Admin'], editors: ['strapi-editor'] } };
  const { code, log } = await boot(config, WARNINGS);
  assert.equal(code, 0, log);
  assert.match(log, /\[remote-auth\] groupRoles maps "cms-admins" to Super Admin; this mapping is ignored unless allowSuperAdminMapping is true/);
  assert.doesNotMatch(log, /"editors"/);
});

test('no Super Admin warning for an ordinary configuration, nor for a mapping allowed on purpose', async () => {
  const { code, log } = await boot(
    { autoCreate: true, groupsHeader: 'Remote-Groups', allowSuperAdminMapping: true, groupRoles: { 'cms-admins': ['strapi-super-admin'] } },
    WARNINGS,
  );
  assert.equal(code, 0, log);
  assert.doesNotMatch(log, /Super Admin/);
});

// The Quick start behind a proxy: without server.url (or server.proxy.koa) renewals are refused as cross-site after ~30 minutes.
const NO_PUBLIC_ORIGIN = /\[remote-auth\] config\/server\.ts sets neither url nor proxy\.koa: .*Fix: set url in config\/server\.ts to the address people open/;

test('boot warns in one line when config/server sets neither url nor proxy.koa, and not once server.url is set', async () => {
  const unset = await boot({}, WARNINGS);
  assert.equal(unset.code, 0, unset.log);
  assert.match(unset.log, NO_PUBLIC_ORIGIN);
  const set = await boot({}, { ...WARNINGS, PUBLIC_URL: 'https://cms.example.com' });
  assert.equal(set.code, 0, set.log);
  assert.doesNotMatch(set.log, /sets neither url nor proxy/);
});
