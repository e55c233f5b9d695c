/**
 * The README's Quick start: its config/plugins.ts block is word for word the
 * file tests/compat/prepare.js type-checks against the packed plugin in every
 * compatibility app (tests/compat/readme-plugins.ts), and a valid
 * configuration; its steps keep the properties a stranger relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSettings } from '../../server/src/settings-schema/schema';
import { docSectionBlocks } from '../harness/readme-blocks';

const ROOT = resolve(__dirname, '..', '..');
const section = (): string => {
  const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const from = text.indexOf('## Quick start');
  return text.slice(from, text.indexOf('\n## ', from + 1));
};

test('the Quick start config/plugins.ts block is tests/compat/readme-plugins.ts, which CI type-checks', () => {
  const blocks = docSectionBlocks('README.md', 'Quick start', 'ts').filter((block) => block.includes("'remote-auth'"));
  assert.equal(blocks.length, 1, 'one config/plugins.ts block in the Quick start');
  const typeChecked = readFileSync(resolve(ROOT, 'tests', 'compat', 'readme-plugins.ts'), 'utf8').replace(/^(\/\/.*\n)+/, '');
  assert.equal(blocks[0], typeChecked);
});

test('the Quick start configuration passes the plugin’s validation', () => {
  const block = docSectionBlocks('README.md', 'Quick start', 'ts').find((b) => b.includes("'remote-auth'"))!;
  const literal = /config: (\{[\s\S]*?\n {4}\}) satisfies/.exec(block);
  assert.ok(literal, 'config literal');
  const config = new Function('env', `return (${literal[1]});`)(() => 'a-long-random-secret-value-from-env');
  const settings = parseSettings(config);
  assert.deepEqual(settings.trustedProxies, ['127.0.0.1/32']);
  assert.equal(settings.sharedSecret?.header, 'X-Remote-Auth-Secret');
});

test('the Quick start creates the first Super Admin before the proxy, sets server.url, and its .env lines can run twice', () => {
  const text = section();
  const superAdmin = text.indexOf('admin:create-user');
  const proxy = text.indexOf('```nginx');
  assert.ok(superAdmin > 0 && superAdmin < proxy, 'the first Super Admin comes before the proxy step');
  assert.match(text, /url: env\('PUBLIC_URL'\)/);
  const [env] = docSectionBlocks('README.md', 'Quick start', 'bash').filter((b) => b.includes('.env'));
  for (const line of env.split('\n').filter((l) => l.includes('>> .env'))) {
    assert.match(line, /^grep -q '\^[A-Z_]+=' \.env (\|\||&&)/, `not safe to repeat: ${line}`);
  }
  assert.match(env, /REMOTE_AUTH_SECRET=\$\(openssl rand -base64 32\)/);
});

test('the Quick start nginx block is complete: auth_request names a location it defines', () => {
  const [nginx] = docSectionBlocks('README.md', 'Quick start', 'nginx');
  for (const m of nginx.matchAll(/auth_request (\S+);/g)) {
    assert.match(nginx, new RegExp(`location = ${m[1].replace(/[/]/g, '\\/')} \\{[^}]*internal;`), `${m[1]} is defined as an internal location`);
  }
  assert.match(nginx, /proxy_set_header Remote-User \$user;/);
  assert.match(nginx, /proxy_set_header X-Remote-Auth-Secret/);
});

test('the Quick start names the connection check as the settings page shows it', () => {
  const en = JSON.parse(readFileSync(resolve(ROOT, 'admin', 'src', 'translations', 'en.json'), 'utf8')) as Record<string, string>;
  const text = section();
  for (const key of ['remote-auth.settings.link', 'remote-auth.check.title', 'remote-auth.check.run', 'remote-auth.check.outcome.would-sign-in']) {
    assert.ok(text.includes(en[key]), `the Quick start says "${en[key]}" (${key})`);
  }
});

test('README.md stays a front page: at most 250 lines', () => {
  const lines = readFileSync(resolve(ROOT, 'README.md'), 'utf8').split('\n').length;
  assert.ok(lines <= 251, `README.md has ${lines} lines`);
});
