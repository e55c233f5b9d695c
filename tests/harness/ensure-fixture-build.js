'use strict';
// Builds the fixture app's admin panel (needed to serve /admin) when it is
// missing or was built from a different plugin admin bundle. `npm test` runs this first.
const { execSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const build = join(root, 'tests', 'fixture-app', 'build');
const stamp = join(build, '.plugin-admin-hash');
const hash = createHash('sha256').update(readFileSync(join(root, 'dist', 'admin', 'index.mjs'))).digest('hex');

if (!existsSync(join(build, 'index.html')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
  console.log('Building the fixture app admin panel (about a minute)…');
  execSync('npm run build:fixture', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, hash);
}
