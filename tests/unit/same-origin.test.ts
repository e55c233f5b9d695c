import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossOriginProblem, expectedOrigin, type HeaderAuthenticatedRequest } from '../../server/src/pipeline/same-origin';

const ORIGIN = 'https://admin.example:1337';

/** A same-origin JSON request from the admin app, unless overridden. */
const req = (overrides: Partial<HeaderAuthenticatedRequest> = {}): HeaderAuthenticatedRequest => ({
  method: 'POST',
  expectedOrigin: ORIGIN,
  origin: ORIGIN,
  secFetchSite: 'same-origin',
  contentType: 'application/json',
  ...overrides,
});

const allowed = (request: HeaderAuthenticatedRequest, label?: string): void => {
  assert.equal(crossOriginProblem(request), null, label ?? JSON.stringify(request));
};
const refused = (request: HeaderAuthenticatedRequest, reason?: RegExp, label?: string): string => {
  const problem = crossOriginProblem(request);
  assert.equal(typeof problem, 'string', `${label ?? JSON.stringify(request)} should be refused`);
  assert.ok((problem as string).length > 0);
  if (reason) assert.match(problem as string, reason, label);
  return problem as string;
};

const READS = ['GET', 'HEAD'];
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ALL = [...READS, ...WRITES];

/** What a page on another origin can make the browser send (T17). */
const CROSS_ORIGIN: Array<Partial<HeaderAuthenticatedRequest>> = [
  { secFetchSite: 'cross-site', origin: 'https://evil.example' },
  { secFetchSite: 'same-site', origin: 'https://blog.admin.example' },
  { secFetchSite: undefined, origin: 'https://evil.example' },
  { secFetchSite: undefined, origin: 'null' },
  { secFetchSite: 'cross-site', origin: undefined },
  { secFetchSite: 'same-site', origin: undefined },
  { secFetchSite: 'none', origin: undefined },
  // Same host and port, other scheme: another origin (http page, https admin).
  { secFetchSite: undefined, origin: 'http://admin.example:1337' },
];

test('every cross-origin shape is refused for every method, reads included', () => {
  for (const method of ALL) {
    for (const cross of CROSS_ORIGIN) {
      for (const contentType of ['application/json', 'text/plain', undefined]) {
        refused(req({ method, ...cross, contentType }), undefined, `${method} ${JSON.stringify(cross)} ${contentType}`);
      }
    }
  }
});

test('the origin comparison includes the scheme and the port', () => {
  refused(req({ method: 'GET', secFetchSite: undefined, origin: 'http://admin.example:1337' }), /not the admin's origin https:\/\/admin\.example:1337/);
  refused(req({ method: 'GET', secFetchSite: undefined, expectedOrigin: 'http://admin.example', origin: 'https://admin.example' }));
  refused(req({ method: 'GET', secFetchSite: undefined, origin: 'https://admin.example:1338' }));
  refused(req({ method: 'GET', secFetchSite: undefined, origin: 'https://admin.example' }));
});

test('same-origin reads are allowed with Sec-Fetch-Site alone (browsers send no Origin on same-origin GET)', () => {
  for (const method of READS) {
    allowed(req({ method, origin: undefined, contentType: undefined }), method);
    allowed(req({ method }), method);
    allowed(req({ method, secFetchSite: undefined }), `${method} with Origin only`);
  }
});

test('reads with neither Origin nor Sec-Fetch-Site pass: a browser always marks a cross-origin read it could hand to the page', () => {
  for (const method of READS) allowed(req({ method, origin: undefined, secFetchSite: undefined }), method);
});

test('a lower-case method name is not taken for a read', () => {
  refused(req({ method: 'get', origin: undefined, secFetchSite: undefined }), /neither Origin nor Sec-Fetch-Site/);
});

test('same-origin state-changing JSON requests are allowed', () => {
  for (const method of WRITES) {
    allowed(req({ method }), method);
    allowed(req({ method, origin: undefined }), `${method} with Sec-Fetch-Site only`);
    allowed(req({ method, secFetchSite: undefined }), `${method} with Origin only`);
  }
});

test('writes with neither Origin nor Sec-Fetch-Site are refused: nothing proves they are same-origin', () => {
  for (const method of WRITES) {
    refused(req({ method, origin: undefined, secFetchSite: undefined }), /neither Origin nor Sec-Fetch-Site/, method);
  }
});

test('non-simple content types are accepted, parameters and case aside', () => {
  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json', 'application/octet-stream']) {
    allowed(req({ contentType }), contentType);
  }
});

test('a same-origin write without a body (no Content-Type) is allowed', () => {
  allowed(req({ method: 'DELETE', contentType: undefined }));
  allowed(req({ method: 'POST', contentType: undefined, origin: undefined }));
});

test('the Origin may spell the default port; IPv6 hosts compare as origins', () => {
  allowed(req({ expectedOrigin: 'https://admin.example', origin: 'https://admin.example:443', secFetchSite: undefined }));
  allowed(req({ expectedOrigin: 'http://admin.example', origin: 'http://admin.example:80', secFetchSite: undefined }));
  allowed(req({ expectedOrigin: 'http://[::1]:1337', origin: 'http://[::1]:1337', secFetchSite: undefined }));
});

test('Sec-Fetch-Site other than "same-origin" is refused, even with a matching Origin', () => {
  for (const site of ['cross-site', 'same-site', 'none', 'Same-Origin', '']) {
    for (const method of ALL) {
      const problem = refused(req({ method, secFetchSite: site }), /Sec-Fetch-Site/, site);
      assert.ok(problem.includes(`"${site}"`), problem);
    }
  }
});

test('an Origin that is not the admin origin is refused, even with Sec-Fetch-Site: same-origin', () => {
  for (const origin of [
    'https://evil.example',
    'https://admin.example',
    'https://admin.example:1338',
    'http://admin.example:1337',
    'https://evil.admin.example:1337',
    'https://admin.example.evil.example:1337',
    'https://admin.example:1337@evil.example',
  ]) {
    for (const method of ALL) {
      refused(req({ method, origin }), /not the admin's origin/, origin);
      refused(req({ method, origin, secFetchSite: undefined }), /not the admin's origin/, origin);
    }
  }
});

test('Origin "null" and other non-origins are refused', () => {
  for (const origin of ['null', '', 'https://admin.example:1337.evil.example', '//admin.example:1337', 'not a url', 'file:///etc/passwd']) {
    refused(req({ method: 'GET', origin, secFetchSite: undefined }), /names no origin/, JSON.stringify(origin));
  }
});

test('content types a cross-site form can send are refused for writes, even same-origin', () => {
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

test('expected origin: an absolute server.url wins; otherwise the request origin', () => {
  assert.equal(expectedOrigin('https://cms.example/strapi', 'http://127.0.0.1:1337'), 'https://cms.example');
  assert.equal(expectedOrigin('https://CMS.example:443/', 'http://127.0.0.1:1337'), 'https://cms.example');
  assert.equal(expectedOrigin('http://cms.example:8080', 'http://127.0.0.1:1337'), 'http://cms.example:8080');
  for (const relative of ['', '  ', '/cms', 'cms.example', undefined, null, 42, 'ftp://cms.example']) {
    assert.equal(expectedOrigin(relative, 'http://127.0.0.1:1337'), 'http://127.0.0.1:1337', String(relative));
  }
});
