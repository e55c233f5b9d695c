/**
 * Every relative link and #anchor in the repository's Markdown resolves
 * (README.md, CHANGELOG.md, docs/**, bench/**; node_modules excluded), offline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, anchors, checkRepository, checkText, markdownFiles, slug } from '../harness/markdown-links';

test('GitHub slug rules', () => {
  assert.equal(slug('Quick start'), 'quick-start');
  assert.equal(slug('E-mail is not identity (CVE-2023-3128)'), 'e-mail-is-not-identity-cve-2023-3128');
  assert.equal(slug('Hooks (only in `config/plugins.ts`)'), 'hooks-only-in-configpluginsts');
  assert.equal(slug('Sessions & accounts page'), 'sessions--accounts-page');
  assert.equal(slug('nginx with an auth gateway (`auth_request`) — recommended'), 'nginx-with-an-auth-gateway-auth_request--recommended');
  assert.equal(slug('[0.2.0] - 2026-12-04'), '020---2026-12-04');
  assert.equal(slug('Identity is `"<iss> <sub>"`, not <em>the</em> e-mail'), 'identity-is-iss-sub-not-the-e-mail');
  assert.deepEqual([...anchors('# A\n## A\n```\n# not a heading\n```\n<a id="x"></a>\n')], ['a', 'a-1', 'x']);
});

test('the checker reports a broken relative link and a broken anchor', () => {
  const file = join(ROOT, 'docs', 'example.md');
  const broken = checkText(file, '# Title\n\nSee [missing](no-such-page.md), [here](#title), [gone](#nowhere) and `[code](ignored.md)`.\n');
  assert.deepEqual(
    broken.map((b) => [b.target, b.line]),
    [
      ['no-such-page.md', 3],
      ['#nowhere', 3],
    ],
  );
});

test('every Markdown file of the repository has working relative links and anchors', () => {
  const files = markdownFiles().map((f) => f.slice(ROOT.length + 1));
  assert.ok(files.includes('README.md'));
  const broken = checkRepository();
  assert.deepEqual(
    broken.map((b) => `${b.file}:${b.line}: ${b.target} — ${b.problem}`),
    [],
    `${broken.length} broken links`,
  );
});
