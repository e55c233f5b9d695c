import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import {
  MAX_HEADER_LINES,
  MAX_IDENTITY_LENGTH,
  mentionsHeader,
  readIdentityHeader,
  readSingleValue,
  type HeaderReading,
} from '../../server/src/pipeline/identity-header';
import { Refusal } from '../../server/src/pipeline/refusal';
import { isRefusalWith, refusedWith } from '../harness/refusals';
import { headers } from './fake-headers';

const NAME = 'remote-user';

const read = (...lines: Array<[string, string]>): HeaderReading => readIdentityHeader(headers(...lines), NAME);

// --- absent -----------------------------------------------------------------

test('no identity header → absent', () => {
  assert.deepEqual(read(), { state: 'absent' });
  assert.deepEqual(read(['Host', 'cms.example'], ['Accept', 'text/html']), { state: 'absent' });
});

test('an empty or whitespace-only value → absent, never a default user (T6)', () => {
  assert.deepEqual(read(['Remote-User', '']), { state: 'absent' });
  assert.deepEqual(read(['Remote-User', '   ']), { state: 'absent' });
  assert.deepEqual(read(['Remote-User', ' \t ']), { state: 'absent' });
});

// --- present ----------------------------------------------------------------

test('a single well-formed value is returned, trimmed', () => {
  assert.deepEqual(read(['Remote-User', 'jane@corp.example']), { state: 'present', value: 'jane@corp.example' });
  assert.deepEqual(read(['Remote-User', '  jane@corp.example  ']), { state: 'present', value: 'jane@corp.example' });
});

test('the header name is matched case-insensitively', () => {
  assert.deepEqual(read(['REMOTE-USER', 'jane']), { state: 'present', value: 'jane' });
  assert.deepEqual(read(['remote-user', 'jane']), { state: 'present', value: 'jane' });
  assert.deepEqual(read(['rEmOtE-uSeR', 'jane']), { state: 'present', value: 'jane' });
});

test('other headers are ignored', () => {
  assert.deepEqual(read(['X-Remote-User', 'mallory'], ['Remote-User', 'jane'], ['RemoteUser', 'eve']), {
    state: 'present',
    value: 'jane',
  });
});

test(`${MAX_IDENTITY_LENGTH} characters are accepted, ${MAX_IDENTITY_LENGTH + 1} refused (T7)`, () => {
  assert.equal(MAX_IDENTITY_LENGTH, 256);
  const ok = 'a'.repeat(256);
  assert.deepEqual(read(['Remote-User', ok]), { state: 'present', value: ok });
  const refusal = refusedWith('value-too-long', () => read(['Remote-User', 'a'.repeat(257)]));
  assert.equal(refusal.status, 400);
  assert.match(refusal.reason, /257 characters long \(limit 256\)/);
});

test('the length limit applies after trimming', () => {
  const value = 'a'.repeat(256);
  assert.deepEqual(read(['Remote-User', `  ${value}  `]), { state: 'present', value });
});

// --- duplicates and twins (T4, T5) --------------------------------------------

test('two occurrences are refused (duplicate-header), never first or last', () => {
  const refusal = refusedWith('duplicate-header', () =>
    read(['Remote-User', 'mallory@corp.example'], ['Remote-User', 'jane@corp.example']),
  );
  assert.equal(refusal.status, 400);
  assert.match(refusal.reason, /appears 2 times/);
  assert.equal(refusal.publicMessage, 'The request carries more than one identity header.');
});

test('duplicates differing only in case are refused too', () => {
  refusedWith('duplicate-header', () => read(['Remote-User', 'jane'], ['REMOTE-USER', 'jane']));
});

test('duplicates are refused even when one is empty or they are identical', () => {
  refusedWith('duplicate-header', () => read(['Remote-User', ''], ['Remote-User', 'jane']));
  refusedWith('duplicate-header', () => read(['Remote-User', 'jane'], ['Remote-User', 'jane']));
  refusedWith('duplicate-header', () => read(['Remote-User', 'a'], ['Remote-User', 'b'], ['Remote-User', 'c']));
});

test('a twin Remote_User next to Remote-User is refused (header-twin)', () => {
  const refusal = refusedWith('header-twin', () =>
    read(['Remote_User', 'admin@corp.example'], ['Remote-User', 'jane@corp.example']),
  );
  assert.equal(refusal.status, 400);
  assert.match(refusal.reason, /"Remote_User", a look-alike of the identity header "remote-user"/);
});

test('a twin alone is refused too, whatever order or case', () => {
  refusedWith('header-twin', () => read(['Remote_User', 'admin@corp.example']));
  refusedWith('header-twin', () => read(['Remote-User', 'jane@corp.example'], ['REMOTE_USER', 'admin@corp.example']));
  refusedWith('header-twin', () => read(['remote_user', '']));
});

test('the twin check uses the configured label in its reason', () => {
  const refusal = refusedWith('header-twin', () =>
    readIdentityHeader(headers(['X_Remote_User', 'x']), 'x-remote-user', 'X-Remote-User'),
  );
  assert.match(refusal.reason, /identity header "X-Remote-User"/);
});

// --- forbidden characters (T5, T7) -------------------------------------------

test('a comma is refused: it is what joined duplicates look like', () => {
  const refusal = refusedWith('forbidden-character', () => read(['Remote-User', 'mallory@corp.example, jane@corp.example']));
  assert.equal(refusal.status, 400);
  assert.match(refusal.reason, /comma/);
  refusedWith('forbidden-character', () => read(['Remote-User', 'jane,']));
});

test('control characters are refused', () => {
  for (const value of ['ja\u0000ne', 'ja\tne', 'ja\rne', 'ja\nne', 'jane\u001b[31m', 'ja\u007fne', 'ja\u0001ne']) {
    const refusal = refusedWith('forbidden-character', () => read(['Remote-User', value]));
    assert.match(refusal.reason, /control character/, JSON.stringify(value));
  }
});

test('refusal reasons never echo the header value', () => {
  const secretish = 'mallory-token-1234567890';
  for (const lines of [
    [['Remote-User', `${secretish},x`]],
    [['Remote-User', `${secretish}\u0001`]],
    [['Remote-User', secretish.repeat(20)]],
    [['Remote-User', secretish], ['Remote-User', secretish]],
  ] as Array<Array<[string, string]>>) {
    let reason = '';
    try {
      read(...lines);
    } catch (error) {
      reason = (error as Refusal).reason;
    }
    assert.ok(reason.length > 0);
    assert.ok(!reason.includes(secretish), reason);
  }
});

// --- mentionsHeader -----------------------------------------------------------

test('mentionsHeader: true for the header, its case variants and its twins; false otherwise', () => {
  assert.equal(mentionsHeader(headers(), NAME), false);
  assert.equal(mentionsHeader(headers(['X-Remote-User', 'x'], ['RemoteUser', 'x']), NAME), false);
  assert.equal(mentionsHeader(headers(['Remote-User', 'jane']), NAME), true);
  assert.equal(mentionsHeader(headers(['Remote-User', '']), NAME), true);
  assert.equal(mentionsHeader(headers(['REMOTE-USER', 'jane']), NAME), true);
  assert.equal(mentionsHeader(headers(['Remote_User', 'jane']), NAME), true);
  assert.equal(mentionsHeader(headers(['remote_user', 'jane']), NAME), true);
});

// --- readSingleValue ------------------------------------------------------------

test('readSingleValue returns exactly one occurrence, untouched, or null', () => {
  assert.equal(readSingleValue(headers(['X-Proxy-Secret', 's3cret']), 'x-proxy-secret'), 's3cret');
  assert.equal(readSingleValue(headers(['X-Proxy-Secret', '']), 'x-proxy-secret'), '');
  assert.equal(readSingleValue(headers(), 'x-proxy-secret'), null);
  assert.equal(readSingleValue(headers(['X-Proxy-Secret', 'a'], ['X-Proxy-Secret', 'a']), 'x-proxy-secret'), null);
});

// --- against a real Node IncomingMessage -----------------------------------------

/** Sends a raw HTTP/1.1 request to a throwaway server and runs `inspect` on the IncomingMessage. */
async function withRealRequest<T>(headerLines: string[], inspect: (req: IncomingMessage) => T): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined;
  const server = createServer((req, res) => {
    try {
      result = { value: inspect(req) };
    } catch (error) {
      result = { error };
    }
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(['GET /admin HTTP/1.1', 'Host: localhost', 'Connection: close', ...headerLines, '', ''].join('\r\n'));
      });
      socket.on('data', () => undefined);
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.ok(result, 'the server saw the request');
  if ('error' in result) throw result.error;
  return result.value;
}

test('real IncomingMessage: a single header is read', async () => {
  const reading = await withRealRequest(['Remote-User: jane@corp.example'], (req) => readIdentityHeader(req, NAME));
  assert.deepEqual(reading, { state: 'present', value: 'jane@corp.example' });
});

test('real IncomingMessage: duplicates are refused although req.headers joins them', async () => {
  await assert.rejects(
    withRealRequest(['Remote-User: mallory@corp.example', 'Remote-User: jane@corp.example'], (req) => {
      assert.equal(req.headers['remote-user'], 'mallory@corp.example, jane@corp.example');
      return readIdentityHeader(req, NAME);
    }),
    isRefusalWith('duplicate-header'),
  );
});

test('real IncomingMessage: Node keeps "_" and the twin is refused', async () => {
  await assert.rejects(
    withRealRequest(['Remote_User: admin@corp.example', 'Remote-User: jane@corp.example'], (req) => {
      assert.equal(req.headers['remote_user'], 'admin@corp.example');
      return readIdentityHeader(req, NAME);
    }),
    isRefusalWith('header-twin'),
  );
});

test('real IncomingMessage: an empty header is absent', async () => {
  const reading = await withRealRequest(['Remote-User: '], (req) => readIdentityHeader(req, NAME));
  assert.deepEqual(reading, { state: 'absent' });
});

// --- T22: Node's header-line limit -------------------------------------------------

const padding = (count: number): string[] => Array.from({ length: count }, (_, i) => `X-Pad-${i}: a`);

test('Node 20 drops header lines past 1,000 in headersDistinct and past about 1,023 in rawHeaders (why T22 refuses)', async () => {
  const seen = await withRealRequest(['Remote-User: mallory@corp.example', ...padding(1100), 'Remote-User: jane@corp.example'], (req) => ({
    distinct: req.headersDistinct['remote-user'],
    distinctKeys: Object.keys(req.headersDistinct).length,
    rawLines: req.rawHeaders.length / 2,
    rawCopies: req.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'remote-user').length,
  }));
  assert.deepEqual(seen.distinct, ['mallory@corp.example'], 'the proxy-appended copy is gone from headersDistinct');
  assert.equal(seen.distinctKeys, MAX_HEADER_LINES);
  assert.ok(seen.rawLines < 1100, `rawHeaders kept ${seen.rawLines} lines`);
  assert.equal(seen.rawCopies, 1, 'the proxy-appended copy is gone from rawHeaders too: counting alone cannot catch it');
});

test('real IncomingMessage: a forged copy with the proxy copy padded out of view → too-many-headers', async () => {
  await assert.rejects(
    withRealRequest(['Remote-User: mallory@corp.example', ...padding(1100), 'Remote-User: jane@corp.example'], (req) => {
      assert.equal(mentionsHeader(req, NAME), true);
      return readIdentityHeader(req, NAME);
    }),
    (error: unknown) => error instanceof Refusal && error.code === 'too-many-headers' && error.status === 400,
  );
});

test('real IncomingMessage: duplicates between line 1,000 and 1,023 are counted over rawHeaders, not headersDistinct', async () => {
  // 3 fixed lines (Host, Connection, first copy) + 996 padding + the second copy = 1,000 lines: at the limit.
  // One fewer padding line: 999 lines, under the limit; headersDistinct still sees both, rawHeaders too.
  await assert.rejects(
    withRealRequest(['Remote-User: mallory@corp.example', ...padding(995), 'Remote-User: jane@corp.example'], (req) => {
      assert.equal(req.rawHeaders.length / 2, 999);
      return readIdentityHeader(req, NAME);
    }),
    isRefusalWith('duplicate-header'),
  );
  await assert.rejects(
    withRealRequest(['Remote-User: mallory@corp.example', ...padding(996), 'Remote-User: jane@corp.example'], (req) => readIdentityHeader(req, NAME)),
    isRefusalWith('too-many-headers'),
  );
});

test('a request at the limit mentions the header even when no copy is left in view; under it, a single copy is read', async () => {
  assert.equal(await withRealRequest([...padding(1100), 'Remote-User: jane@corp.example'], (req) => mentionsHeader(req, NAME)), true);
  const reading = await withRealRequest([...padding(990), 'Remote-User: jane@corp.example'], (req) => readIdentityHeader(req, NAME));
  assert.deepEqual(reading, { state: 'present', value: 'jane@corp.example' });
});

test('readSingleValue (the shared secret) refuses a request at the limit and counts copies over rawHeaders', async () => {
  await assert.rejects(
    withRealRequest(['X-Proxy-Secret: guess', ...padding(1100)], (req) => readSingleValue(req, 'x-proxy-secret')),
    isRefusalWith('too-many-headers'),
  );
});
