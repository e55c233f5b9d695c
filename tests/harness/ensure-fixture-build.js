'use strict';
// Builds the fixture app's admin panel (needed to serve /admin) when it is
// missing or older than the plugin's admin bundle. `npm test` runs this first.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const index = join(root, 'tests', 'fixture-app', 'build', 'index.html');
const pluginAdmin = join(root, 'dist', 'admin', 'index.mjs');
const stale = !existsSync(index) || (existsSync(pluginAdmin) && statSync(pluginAdmin).mtimeMs > statSync(index).mtimeMs);
if (stale) {
  console.log('Building the fixture app admin panel (about a minute)…');
  execSync('npm run build:fixture', { cwd: root, stdio: 'inherit' });
}
