/**
 * The T7 boot guard's probe: decided by the parser's behaviour, and it leaves
 * nothing listening or connected behind. (Boot refusals: boot-validation.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeHttpParser } from '../../server/src/strapi/guards/http-parser-guard';

const openSockets = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length;

test('a default server is strict', async () => {
  assert.equal(await probeHttpParser({}), 'strict');
});

test('a server with insecureHTTPParser: true is lenient', async () => {
  assert.equal(await probeHttpParser({ insecureHTTPParser: true }), 'lenient');
});

test('the probe closes its server and sockets whatever the verdict', async () => {
  const before = openSockets();
  await probeHttpParser({});
  await probeHttpParser({ insecureHTTPParser: true });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(openSockets(), before);
});
