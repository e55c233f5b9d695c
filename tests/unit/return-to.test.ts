import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnTo } from '../../server/src/pipeline/return-to';

const ADMIN = '/admin';

test('same-origin admin paths are kept with query and hash', () => {
  assert.equal(safeReturnTo('/admin/content-manager?x=1#h', ADMIN), '/admin/content-manager?x=1#h');
  assert.equal(safeReturnTo('/admin', ADMIN), '/admin');
  assert.equal(safeReturnTo('/admin/', ADMIN), '/admin/');
  assert.equal(safeReturnTo('/admin?x=1', ADMIN), '/admin?x=1');
  assert.equal(
    safeReturnTo('/admin/content-manager/collection-types/api::article.article?page=1', ADMIN),
    '/admin/content-manager/collection-types/api::article.article?page=1',
  );
});

test('dot segments inside the admin path are resolved', () => {
  assert.equal(safeReturnTo('/admin/a/../settings', ADMIN), '/admin/settings');
  assert.equal(safeReturnTo('/admin/./settings', ADMIN), '/admin/settings');
});

test('what looks like a URL in the query or hash stays in the query or hash', () => {
  assert.equal(safeReturnTo('/admin?next=//evil.example', ADMIN), '/admin?next=//evil.example');
  assert.equal(safeReturnTo('/admin#//evil.example', ADMIN), '/admin#//evil.example');
});

const HOSTILE: Record<string, string> = {
  'protocol-relative': '//evil.example',
  'protocol-relative with path': '//evil.example/admin',
  'slash-backslash': '/\\evil.example',
  'double backslash': '\\\\evil.example',
  'backslash-slash': '\\/evil.example',
  'encoded slashes': '%2F%2Fevil.example',
  'encoded slashes after a slash': '/%2F%2Fevil.example',
  'javascript:': 'javascript:alert(1)',
  'JavaScript: mixed case': 'JaVaScRiPt:alert(1)',
  'data:': 'data:text/html,<script>alert(1)</script>',
  'absolute http': 'http://evil.example/admin',
  'absolute https': 'https://evil.example/admin',
  'scheme-relative http:': 'http:/admin',
  'leading space': ' /admin',
  'trailing space': '/admin ',
  'leading tab': '\t/admin',
  'dot-dot escape': '/admin/../evil',
  'encoded dot-dot escape': '/admin/%2e%2e/evil',
  'encoded dot-dot escape, upper case': '/admin/%2E%2E/evil',
  'dot-dot to root': '/admin/..',
  'tab between slashes': '/\t/evil.example',
  'literal backslash-t': '/\\t/evil.example',
  'newline between slashes': '/\n/evil.example',
  'carriage return between slashes': '/\r/evil.example',
  'NUL': '/admin\u0000',
  'non-breaking space': '/\u00a0/evil.example',
  'ideographic space': '/\u3000/evil.example',
  'line separator': '/\u2028/evil.example',
  'byte order mark': '\ufeff/admin',
  'not under /admin': '/administrator',
  'sibling of /admin': '/admin-evil',
  'other path': '/api/users',
  'root': '/',
  'relative path': 'admin/settings',
  'dot-relative path': './admin',
  'query only': '?x=1',
  'hash only': '#admin',
  'userinfo trick': '/admin@evil.example',
};

for (const [label, raw] of Object.entries(HOSTILE)) {
  test(`hostile returnTo falls back to /admin: ${label} (${JSON.stringify(raw)})`, () => {
    assert.equal(safeReturnTo(raw, ADMIN), '/admin');
  });
}

test('non-string, empty and oversized values fall back to /admin', () => {
  for (const raw of [undefined, null, 42, true, {}, ['/admin/settings'], '', `/admin/${'a'.repeat(2048)}`]) {
    assert.equal(safeReturnTo(raw, ADMIN), '/admin', typeof raw === 'string' ? `string of ${raw.length}` : String(raw));
  }
});

test('2048 characters are still accepted', () => {
  const raw = `/admin/${'a'.repeat(2048 - '/admin/'.length)}`;
  assert.equal(raw.length, 2048);
  assert.equal(safeReturnTo(raw, ADMIN), raw);
});

test('characters that need it come back percent-encoded, never raw', () => {
  assert.equal(safeReturnTo('/admin/é?q=<x>', ADMIN), '/admin/%C3%A9?q=%3Cx%3E');
  assert.equal(safeReturnTo('/admin/"onload', ADMIN), '/admin/%22onload');
});

test('a custom admin path is honoured', () => {
  assert.equal(safeReturnTo('/cms-admin/settings', '/cms-admin'), '/cms-admin/settings');
  assert.equal(safeReturnTo('/admin/settings', '/cms-admin'), '/cms-admin');
  assert.equal(safeReturnTo('//evil.example', '/cms-admin'), '/cms-admin');
});

test('the result always starts with the admin path and a single slash', () => {
  for (const raw of [...Object.values(HOSTILE), '/admin/x', '/admin?y#z']) {
    const result = safeReturnTo(raw, ADMIN);
    assert.ok(result === '/admin' || result.startsWith('/admin/') || result.startsWith('/admin?') || result.startsWith('/admin#'), result);
    assert.ok(!result.startsWith('//'), result);
  }
});
