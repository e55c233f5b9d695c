'use strict';
// Builds the fixture app's admin panel (needed to serve /admin) when it is
// missing or was built from a different plugin admin bundle (every file of
// dist/admin: translations and pages are chunks of their own). `npm test` runs this first.
const { execSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const build = join(root, 'tests', 'fixture-app', 'build');
const stamp = join(build, '.plugin-admin-hash');
const adminDist = join(root, 'dist', 'admin');
const digest = createHash('sha256');
for (const file of readdirSync(adminDist, { recursive: true }).map(String).sort()) {
  if (!/\.(m?js|json)$/.test(file)) continue;
  digest.update(file).update('\0').update(readFileSync(join(adminDist, file)));
}
const hash = digest.digest('hex');

if (!existsSync(join(build, 'index.html')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
  console.log('Building the fixture app admin panel (about a minute)…');
  execSync('npm run build:fixture', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, hash);
}
