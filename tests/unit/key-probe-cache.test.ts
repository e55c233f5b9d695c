/**
 * F6: "Check this connection" caches its key check per key source and kid for
 * PROBE_CACHE_MS (injected clock), against a real key server that counts fetches.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PROBE_CACHE_MS, probeKeys } from '../../server/src/signed-assertions/key-probe';
import { compileSignedRules } from '../../server/src/signed-assertions/signed-rules';
import { startKeyServer, type KeyServer } from '../harness/key-server';
import { createSigningKey, type SigningKey } from '../harness/assertion-tokens';

let keys: KeyServer;
let ec: SigningKey;
let time = 5_000_000;
const now = () => time;

before(async () => {
  ec = await createSigningKey('ES256');
  keys = await startKeyServer(ec);
});
after(() => keys.close());

const albRules = () =>
  compileSignedRules({
    preset: 'aws-alb',
    region: 'eu-west-1',
    albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/cms-alb/50dc6c495c0c9188',
    issuer: 'https://idp.example',
    jwksUrl: keys.pemBaseUrl,
  });

test('one kid checked 30 times within PROBE_CACHE_MS is fetched once; after it, once more', async () => {
  const rules = albRules();
  for (let i = 0; i < 30; i++) assert.equal((await probeKeys(rules, ec.kid, now)).state, 'usable');
  assert.equal(keys.requestsTo(`/pem/${ec.kid}`), 1);
  time += PROBE_CACHE_MS;
  await probeKeys(rules, ec.kid, now);
  assert.equal(keys.requestsTo(`/pem/${ec.kid}`), 2);
});

test('checks running at once share one fetch; another kid is another answer', async () => {
  const rules = albRules();
  const kid = randomUUID();
  const answers = await Promise.all(Array.from({ length: 10 }, () => probeKeys(rules, kid, now)));
  assert.ok(answers.every((answer) => answer.state === 'unusable'));
  assert.equal(keys.requestsTo(`/pem/${kid}`), 1);
});
