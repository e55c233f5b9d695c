import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossSiteProblem, type CsrfRequest } from '../../server/src/pipeline/csrf';

const HOST = 'admin.example:1337';
const ORIGIN = `https://${HOST}`;

/** A same-origin JSON request from the admin SPA, unless overridden. */
const req = (overrides: Partial<CsrfRequest> = {}): CsrfRequest => ({
  method: 'POST',
  host: HOST,
  origin: ORIGIN,
  secFetchSite: 'same-origin',
  contentType: 'application/json',
  ...overrides,
});

const allowed = (request: CsrfRequest, label?: string): void => {
  assert.equal(crossSiteProblem(request), null, label ?? JSON.stringify(request));
};
const refused = (request: CsrfRequest, reason?: RegExp, label?: string): string => {
  const problem = crossSiteProblem(request);
  assert.equal(typeof problem, 'string', `${label ?? JSON.stringify(request)} should be refused`);
  assert.ok((problem as string).length > 0);
  if (reason) assert.match(problem as string, reason, label);
  return problem as string;
};

const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** What a cross-site page can make the browser send. */
const CROSS_SITE: Array<Partial<CsrfRequest>> = [
  { secFetchSite: 'cross-site', origin: 'https://evil.example' },
  { secFetchSite: 'same-site', origin: 'https://blog.admin.example' },
  { secFetchSite: undefined, origin: 'https://evil.example' },
  { secFetchSite: undefined, origin: 'null' },
  { secFetchSite: 'cross-site', origin: undefined },
  { secFetchSite: undefined, origin: undefined },
];

// --- safe methods ---------------------------------------------------------------------

test('GET, HEAD and OPTIONS are never refused, whatever their origin', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    allowed(req({ method }));
    for (const cross of CROSS_SITE) {
      allowed(req({ method, ...cross, contentType: 'text/plain' }), `${method} ${JSON.stringify(cross)}`);
    }
  }
});

test('a lower-case method name is not taken for a safe method', () => {
  refused(req({ method: 'get', secFetchSite: 'cross-site', origin: 'https://evil.example' }));
});

test('other methods are checked too', () => {
  for (const method of ['TRACE', 'CONNECT', 'PROPFIND', 'PURGE']) {
    refused(req({ method, secFetchSite: 'cross-site', origin: 'https://evil.example' }), undefined, method);
  }
});

// --- same-origin requests ---------------------------------------------------------------

test('same-origin state-changing JSON requests are allowed', () => {
  for (const method of UNSAFE) {
    allowed(req({ method }), method);
    allowed(req({ method, origin: undefined }), `${method} with Sec-Fetch-Site only`);
    allowed(req({ method, secFetchSite: undefined }), `${method} with Origin only`);
  }
});

test('non-simple content types are accepted, parameters and case aside', () => {
  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json', 'application/octet-stream']) {
    allowed(req({ contentType }), contentType);
  }
});

test('a same-origin request without a body (no Content-Type) is allowed: the origin checks already prove it is same-origin', () => {
  allowed(req({ method: 'DELETE', contentType: undefined }));
  allowed(req({ method: 'POST', contentType: undefined, origin: undefined }));
});

test('the Origin may carry the default port or a path', () => {
  allowed(req({ host: 'admin.example', origin: 'https://admin.example:443', secFetchSite: undefined }));
  allowed(req({ host: 'admin.example', origin: 'http://admin.example:80', secFetchSite: undefined }));
  allowed(req({ origin: `${ORIGIN}/`, secFetchSite: undefined }));
  allowed(req({ host: '[::1]:1337', origin: 'http://[::1]:1337', secFetchSite: undefined }));
});

// --- cross-site requests ----------------------------------------------------------------

test('every cross-site shape is refused for every state-changing method, JSON or not', () => {
  for (const method of UNSAFE) {
    for (const cross of CROSS_SITE) {
      for (const contentType of ['application/json', 'text/plain', undefined]) {
        refused(req({ method, ...cross, contentType }), undefined, `${method} ${JSON.stringify(cross)} ${contentType}`);
      }
    }
  }
});

test('Sec-Fetch-Site other than "same-origin" is refused, even with a matching Origin', () => {
  for (const site of ['cross-site', 'same-site', 'none', 'Same-Origin', '']) {
    const problem = refused(req({ secFetchSite: site }), /Sec-Fetch-Site/, site);
    assert.ok(problem.includes(`"${site}"`), problem);
  }
});

test('an Origin that is not the request host is refused, even with Sec-Fetch-Site: same-origin', () => {
  for (const origin of [
    'https://evil.example',
    'https://admin.example',
    'https://admin.example:1338',
    'https://evil.admin.example:1337',
    'https://admin.example.evil.example:1337',
    'https://admin.example:1337@evil.example',
  ]) {
    refused(req({ origin }), /does not match host/, origin);
    refused(req({ origin, secFetchSite: undefined }), /does not match host/, origin);
  }
});

test('Origin "null" and other non-URLs are refused', () => {
  for (const origin of ['null', '', 'https://admin.example:1337.evil.example', '//admin.example:1337', 'not a url']) {
    refused(req({ origin, secFetchSite: undefined }), undefined, JSON.stringify(origin));
  }
  refused(req({ origin: 'null', secFetchSite: undefined }), /Origin "null" is not a URL/);
});

test('without a Host header, an Origin cannot match', () => {
  refused(req({ host: undefined, secFetchSite: undefined }), /\(none\)/);
});

test('neither Origin nor Sec-Fetch-Site: refused, since nothing proves the request is same-origin', () => {
  refused(req({ origin: undefined, secFetchSite: undefined }), /neither Origin nor Sec-Fetch-Site/);
});

// --- simple content types -----------------------------------------------------------------

test('content types a cross-site form can send are refused, even same-origin', () => {
  for (const contentType of [
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'multipart/form-data; boundary=----x',
    'text/plain',
    'text/plain;charset=UTF-8',
    'TEXT/PLAIN',
    ' Multipart/Form-Data ',
  ]) {
    const problem = refused(req({ contentType }), /can be sent cross-site by a form/, contentType);
    assert.ok(problem.includes(contentType.split(';')[0].trim().toLowerCase()), problem);
    refused(req({ contentType, origin: undefined }), undefined, contentType);
    refused(req({ contentType, secFetchSite: undefined }), undefined, contentType);
  }
});
