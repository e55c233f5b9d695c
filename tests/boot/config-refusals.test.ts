/**
 * A bad configuration stops Strapi at boot with a message naming the key; it
 * never runs half-configured. Each case boots a fresh Strapi process, which
 * stops before it serves anything, whatever the database: these cases run on
 * SQLite only (`npm test`), not in `test:databases`. The boots that go all the
 * way, with the database, are in tests/integration/boot-validation.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootOnce } from '../harness/strapi';

/** Boots once; `stderr` is what Strapi wrote to stderr. */
const boot = (config: unknown, env: Record<string, string> = {}, nodeArgs: string[] = []) =>
  bootOnce({ config: config as Record<string, unknown>, env, nodeArgs });

const refusals: Array<[string, unknown, RegExp]> = [
  ['"*" in trustedProxies', { trustedProxies: ['*'] }, /"trustedProxies" entry "\*" would trust every client/],
  ['0.0.0.0/0', { trustedProxies: ['0.0.0.0/0'] }, /entry "0\.0\.0\.0\/0" would trust every client/],
  ['::/0', { trustedProxies: ['::/0'] }, /entry "::\/0" would trust every client/],
  ['catch-all trust in IPv4 halves (T23)', { trustedProxies: ['0.0.0.0/1', '128.0.0.0/1'] }, /entry "0\.0\.0\.0\/1" is wider than \/8 \(IPv4\)/],
  ['catch-all trust in IPv6 halves (T23)', { trustedProxies: ['::/1', '8000::/1'] }, /entry "::\/1" is wider than \/32 \(IPv6\)/],
  ['an IPv4 range shorter than /8', { trustedProxies: ['10.0.0.0/7'] }, /entry "10\.0\.0\.0\/7" is wider than \/8/],
  ['an empty trustedProxies list', { trustedProxies: [] }, /"trustedProxies" is empty/],
  ['the shorthand 127.1', { trustedProxies: ['127.1'] }, /entry "127\.1" is not a dotted-quad IPv4 address/],
  ['an unknown key (typo)', { autocreate: true }, /"autocreate" is not an option of this plugin \(did you mean "autoCreate"\?\)/],
  ['a wrong type', { autoCreate: 'yes' }, /"autoCreate" must be true or false/],
  ['an unknown mode', { mode: 'paranoid' }, /"mode" must be one of "persistent", "strict"/],
  ['userField username without emailDomain', { userField: 'username' }, /"emailDomain" is required when userField is "username"/],
  ['a header name with underscores', { header: 'Remote_User' }, /"header" "Remote_User" is not a usable header name/],
  ['a short shared secret', { sharedSecret: { header: 'X-Proxy-Secret', value: 'short' } }, /"sharedSecret" \.value must be a string of at least 16 characters/],
  // value: env('REMOTE_AUTH_SECRET') with the variable unset: undefined, which JSON drops.
  ['a shared secret whose value is missing', { sharedSecret: { header: 'X-Proxy-Secret' } }, /"sharedSecret" \.value is missing: it usually comes from an environment variable, e\.g\. value: env\('REMOTE_AUTH_SECRET'\) with REMOTE_AUTH_SECRET set to a long random string in \.env/],
  ['a shared secret whose value is empty', { sharedSecret: { header: 'X-Proxy-Secret', value: '' } }, /"sharedSecret" \.value is missing: .*REMOTE_AUTH_SECRET/],
  ['stripRealm (removed: realms replaces it)', { userField: 'username', emailDomain: 'corp.example', stripRealm: true }, /"stripRealm" was removed.*Use realms instead, .*realms: \["CORP\.EXAMPLE"\]/],
  ['a realm that is not a realm name', { userField: 'username', emailDomain: 'corp.example', realms: ['@CORP'] }, /"realms" must list realm names like "CORP\.EXAMPLE", got "@CORP"/],
  ['a negative maxNewUsersPerMinute', { maxNewUsersPerMinute: -1 }, /"maxNewUsersPerMinute" must be a whole number from 0 to 1000000, got -1/],
  ['assertion: aws-alb without albArn', { assertion: { preset: 'aws-alb', region: 'eu-west-1', issuer: 'https://idp.example' } }, /"assertion" \.albArn is required with the "aws-alb" preset: the load balancer ARN/],
  ['assertion: HS256 without hmacSecret', { assertion: { preset: 'custom', header: 'X-Jwt', issuer: 'https://idp.example', audience: 'cms', jwksUrl: 'https://idp.example/jwks', algorithms: ['HS256'] } }, /"assertion" \.algorithms lists HS256, which needs \.hmacSecret/],
  ['assertion: alg none', { assertion: { preset: 'cloudflare-access', team: 'acme', audience: 'tag', algorithms: ['RS256', 'none'] } }, /"assertion" \.algorithms must never include "none"/],
  ['assertion: a plain-http key URL off loopback', { assertion: { preset: 'pomerium', routeDomain: 'cms.example.com', jwksUrl: 'http://cms.example.com/jwks.json' } }, /"assertion" \.jwksUrl must use https/],
  ['assertion: an unknown preset', { assertion: { preset: 'okta' } }, /"assertion" \.preset must be one of "cloudflare-access", "google-iap", "aws-alb", "pomerium", "oidc", "custom"/],
  ['a javascript: logout URL', { logoutRedirectUrl: 'javascript:alert(1)' }, /"logoutRedirectUrl" must be an absolute http\(s\) URL/],
];

for (const [label, config, message] of refusals) {
  test(`Strapi refuses to start with ${label}`, async () => {
    const { code, stderr } = await boot(config);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Error regarding remote-auth config/);
    assert.match(stderr, message);
  });
}

// T7: the guard tests the parser's behaviour, so every way of making it lenient is refused.
const LENIENT_PARSER = /remote-auth refuses to start: Node's HTTP parser in this process is lenient/;
const REMOVE_EVERY_SPELLING =
  /Remove --insecure-http-parser in every spelling \(--insecure-http-parser, --insecure-http-parser=true, --insecure_http_parser\) from the node command line and from NODE_OPTIONS, and remove server\.http\.serverOptions\.insecureHTTPParser from config\/server/;
const lenientParsers: Array<[string, Record<string, string>, string[], RegExp]> = [
  ['--insecure-http-parser in NODE_OPTIONS', { NODE_OPTIONS: '--insecure-http-parser' }, [], /Found: "--insecure-http-parser" in NODE_OPTIONS\./],
  ['--insecure-http-parser on the command line', {}, ['--insecure-http-parser'], /Found: "--insecure-http-parser" on the node command line\./],
  ['--insecure-http-parser=true on the command line', {}, ['--insecure-http-parser=true'], /Found: "--insecure-http-parser=true" on the node command line\./],
  ['--insecure_http_parser on the command line', {}, ['--insecure_http_parser'], /Found: "--insecure_http_parser" on the node command line\./],
  ['--insecure-http-parser=true in NODE_OPTIONS', { NODE_OPTIONS: '--insecure-http-parser=true' }, [], /Found: "--insecure-http-parser=true" in NODE_OPTIONS\./],
  ['--insecure_http_parser in NODE_OPTIONS', { NODE_OPTIONS: '--insecure_http_parser' }, [], /Found: "--insecure_http_parser" in NODE_OPTIONS\./],
  [
    'server.http.serverOptions.insecureHTTPParser',
    { SERVER_HTTP_OPTIONS: JSON.stringify({ insecureHTTPParser: true }) },
    [],
    /Found: server\.http\.serverOptions\.insecureHTTPParser in config\/server\./,
  ],
];

for (const [label, env, nodeArgs, found] of lenientParsers) {
  test(`Strapi refuses to start under ${label}`, async () => {
    const { code, stderr } = await boot({}, env, nodeArgs);
    assert.equal(code, 1, stderr);
    assert.match(stderr, LENIENT_PARSER);
    assert.match(stderr, found);
    assert.match(stderr, REMOVE_EVERY_SPELLING);
  });
}
