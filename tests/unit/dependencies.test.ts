/**
 * Imports only point down (ARCHITECTURE.md): runs dependency-cruiser with the
 * repository's .dependency-cruiser.js over server/, admin/ and shared/ and
 * fails on any cycle or any import of a higher layer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');

test('no import cycles and no upward imports between layers (npm run check:dependencies)', () => {
  // DEPENDENCY_CRUISER_HOME: a folder whose node_modules holds dependency-cruiser, for a checkout whose own node_modules predates it.
  const home = process.env.DEPENDENCY_CRUISER_HOME;
  const cli = [root, home]
    .filter((base): base is string => Boolean(base))
    .map((base) => join(base, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'))
    .find((path) => existsSync(path));
  assert.ok(cli, 'dependency-cruiser is not installed: run npm ci');
  const run = spawnSync(process.execPath, [cli, '--config', '.dependency-cruiser.js', 'server/src', 'admin/src', 'shared'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `dependency-cruiser found violations:\n${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /no dependency violations found/);
});
