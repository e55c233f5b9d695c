import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderName, foldHeaderName } from '../../server/src/pipeline/header-name';

test('an HTTP field name is lower-cased', () => {
  assert.equal(canonicalHeaderName('Remote-User'), 'remote-user');
  assert.equal(canonicalHeaderName('X-Forwarded-User'), 'x-forwarded-user');
  assert.equal(canonicalHeaderName('REMOTE-USER'), 'remote-user');
  assert.equal(canonicalHeaderName('x-auth-request-email'), 'x-auth-request-email');
  assert.equal(canonicalHeaderName('X'), 'x');
  assert.equal(canonicalHeaderName('X-User2'), 'x-user2');
});

test('the Django META form maps underscores to dashes and drops HTTP_', () => {
  assert.equal(canonicalHeaderName('HTTP_X_REMOTE_USER'), 'x-remote-user');
  assert.equal(canonicalHeaderName('HTTP_REMOTE_USER'), 'remote-user');
  assert.equal(canonicalHeaderName('HTTP_X_AUTH_REQUEST_EMAIL2'), 'x-auth-request-email2');
});

test('surrounding whitespace is ignored', () => {
  assert.equal(canonicalHeaderName('  Remote-User '), 'remote-user');
});

test('a name with "_" outside the META form is refused (T4)', () => {
  for (const name of ['Remote_User', 'remote_user', 'X_Remote_User', 'http_x_remote_user', 'HTTP_x_remote_user', 'HTTP_', 'HTTP__USER', 'HTTP_USER_']) {
    assert.throws(() => canonicalHeaderName(name), TypeError, name);
  }
});

test('names with spaces or other separators are refused', () => {
  for (const name of ['Remote User', 'Remote-User:', 'Remote:User', 'Remote.User', 'Remote/User', 'Remote\tUser', 'Rémote-User', '']) {
    assert.throws(() => canonicalHeaderName(name), TypeError, JSON.stringify(name));
  }
});

test('names starting or ending with a dash are refused', () => {
  assert.throws(() => canonicalHeaderName('-Remote-User'), TypeError);
  assert.throws(() => canonicalHeaderName('Remote-User-'), TypeError);
  assert.throws(() => canonicalHeaderName('-'), TypeError);
});

test('the error message quotes the configured name and shows the accepted forms', () => {
  assert.throws(() => canonicalHeaderName('Remote_User'), {
    name: 'TypeError',
    message: /"Remote_User" is not a usable header name.*"Remote-User".*"HTTP_REMOTE_USER"/,
  });
});

test('foldHeaderName folds case and "_" onto the dashed lower-case key', () => {
  assert.equal(foldHeaderName('Remote_User'), 'remote-user');
  assert.equal(foldHeaderName('REMOTE-USER'), 'remote-user');
  assert.equal(foldHeaderName('remote-user'), 'remote-user');
  assert.equal(foldHeaderName('X_Remote-user'), 'x-remote-user');
  assert.notEqual(foldHeaderName('RemoteUser'), 'remote-user');
});
