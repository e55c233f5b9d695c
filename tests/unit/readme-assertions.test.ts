/**
 * The config/plugins.ts blocks of the signed-assertion pages
 * (docs/assertions/<provider>.md, one per provider) are valid configurations: each `config: { … }` is evaluated with
 * sample values for its env() calls and must pass the plugin's own
 * validation, with the preset and the fields the section names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings } from '../../server/src/settings-schema/schema';
import { docSectionBlocks } from '../harness/readme-blocks';

/** What the documentation's env() calls stand for. */
const ENV: Record<string, string> = {
  CF_ACCESS_AUD: '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2',
  IAP_BACKEND_SERVICE_ID: '1234567890123456789',
  ALB_ARN: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/strapi/50dc6c495c0c9188',
};

/** The object literal after `config:` in a config/plugins.ts block, braces balanced. */
function configLiteral(block: string): string {
  const start = block.indexOf('config: {');
  assert.ok(start >= 0, `no "config: {" in:\n${block}`);
  let depth = 0;
  for (let i = start + 'config: '.length; i < block.length; i++) {
    if (block[i] === '{') depth += 1;
    if (block[i] === '}' && --depth === 0) return block.slice(start + 'config: '.length, i + 1);
  }
  throw new Error(`unbalanced braces in:\n${block}`);
}

const evaluate = (literal: string): Record<string, unknown> =>
  // The documentation's own text, with env() answered from ENV: no other code runs.
  new Function('env', `return (${literal});`)((name: string) => {
    assert.ok(name in ENV, `the docs use env('${name}'): add a sample value to this test`);
    return ENV[name];
  });

const PROVIDERS: Array<[string, string, string]> = [
  ['docs/assertions/cloudflare-access.md', 'Cloudflare Access', 'cloudflare-access'],
  ['docs/assertions/google-iap.md', 'Google Cloud IAP', 'google-iap'],
  ['docs/assertions/aws-alb.md', 'AWS Application Load Balancer', 'aws-alb'],
  ['docs/assertions/pomerium.md', 'Pomerium', 'pomerium'],
  ['docs/assertions/oidc.md', 'Generic OIDC', 'oidc'],
];

for (const [file, heading, preset] of PROVIDERS) {
  test(`${file} "${heading}": the config/plugins.ts block is a valid configuration with preset ${preset}`, () => {
    const blocks = docSectionBlocks(file, heading, 'ts');
    assert.equal(blocks.length, 1, `one config/plugins.ts block under "${heading}" in ${file}`);
    const config = evaluate(configLiteral(blocks[0]));
    const settings = parseSettings(config);
    assert.equal(settings.assertion?.preset, preset);
    assert.equal(settings.mode, 'strict', 'the docs recommend strict mode with assertions');
  });
}
