import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAdminDocumentRequest, type DocumentRequest } from '../../server/src/pipeline/admin-document';

const ADMIN = '/admin';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const req = (overrides: Partial<DocumentRequest>): DocumentRequest => ({
  method: 'GET',
  path: '/admin',
  accept: undefined,
  fetchDest: undefined,
  ...overrides,
});

test('GET /admin with Accept text/html is a document request', () => {
  assert.equal(isAdminDocumentRequest(req({ accept: HTML }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ accept: 'text/html' }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ accept: 'TEXT/HTML' }), ADMIN), true);
});

test('HEAD is treated like GET', () => {
  assert.equal(isAdminDocumentRequest(req({ method: 'HEAD', accept: HTML }), ADMIN), true);
});

test('deep admin paths are documents too', () => {
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/', accept: HTML }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/settings/users', accept: HTML }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/auth/login', accept: HTML }), ADMIN), true);
});

test(
  'a deep link to a content-manager list view (UID with a dot) is a document',
  
  () => {
    const path = '/admin/content-manager/collection-types/api::article.article';
    assert.equal(isAdminDocumentRequest(req({ path, accept: HTML, fetchDest: 'document' }), ADMIN), true);
    assert.equal(isAdminDocumentRequest(req({ path, accept: HTML }), ADMIN), true);
  },
);

test('admin API calls with Accept application/json are not documents', () => {
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/users/me', accept: 'application/json' }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/users/me', accept: 'application/json, text/plain, */*' }), ADMIN), false);
});

test('static assets are not documents, whatever they accept', () => {
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/main.js', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/assets/style.css', accept: '*/*' }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin/favicon.ico', accept: HTML, fetchDest: 'document' }), ADMIN), false);
});

test('non-GET methods are never documents', () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get']) {
    assert.equal(isAdminDocumentRequest(req({ method, accept: HTML, fetchDest: 'document' }), ADMIN), false, method);
  }
});

test('Sec-Fetch-Dest decides when present: document yes, empty/script/iframe no', () => {
  assert.equal(isAdminDocumentRequest(req({ fetchDest: 'document' }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ fetchDest: 'document', accept: 'application/json' }), ADMIN), true);
  assert.equal(isAdminDocumentRequest(req({ fetchDest: 'empty', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ fetchDest: 'script', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ fetchDest: 'iframe', accept: HTML }), ADMIN), false);
});

test('without Sec-Fetch-Dest or a text/html Accept, it is not a document', () => {
  assert.equal(isAdminDocumentRequest(req({}), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ accept: '*/*' }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ accept: '' }), ADMIN), false);
});

test('paths outside the admin panel are not documents', () => {
  assert.equal(isAdminDocumentRequest(req({ path: '/adminx', accept: HTML, fetchDest: 'document' }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/administrator', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/api/articles', accept: HTML }), ADMIN), false);
  assert.equal(isAdminDocumentRequest(req({ path: '/x/admin', accept: HTML }), ADMIN), false);
});

test('a custom admin path is honoured', () => {
  assert.equal(isAdminDocumentRequest(req({ path: '/cms', accept: HTML }), '/cms'), true);
  assert.equal(isAdminDocumentRequest(req({ path: '/cms/settings', accept: HTML }), '/cms'), true);
  assert.equal(isAdminDocumentRequest(req({ path: '/admin', accept: HTML }), '/cms'), false);
});
