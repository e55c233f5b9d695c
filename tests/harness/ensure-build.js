'use strict';
// `npm run bench` measures the plugin as built in dist/. Rebuild it (npm run build)
// when any server source or build setting is newer than the bundle the fixture
// app loads, exactly like make would; skip the ~45 s build when dist/ is current
// (CI builds right before the bench).
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const outputs = ['dist/server/index.js', 'dist/server/index.mjs'].map((file) => join(root, file));
const inputs = ['server', 'package.json', 'tsconfig.json', 'strapi-server.js'].map((file) => join(root, file));

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const missing = outputs.filter((file) => !existsSync(file));
const built = missing.length === 0 ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : -Infinity;
const changed = Math.max(...inputs.filter(existsSync).map(newest));

if (process.argv.includes('--force') || missing.length > 0 || changed > built) {
  console.log(missing.length > 0 ? 'bench: dist/ is missing; building the plugin…' : 'bench: sources changed since the last build; building the plugin…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
} else {
  console.log('bench: dist/ is up to date with server/ (npm run build skipped)');
}
