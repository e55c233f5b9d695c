'use strict';
// Builds the plugin (npm run build → dist/) only when it is missing or older than
// its sources, the way make would: `npm test`, `npm run test:databases` and
// `npm run bench` start with it. CI builds once and then runs its lanes side by
// side, so a lane must never rebuild dist/ under another lane's feet.
//   node tests/harness/ensure-build.js [--force]
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const outputs = ['dist/server/index.js', 'dist/server/index.mjs', 'dist/admin/index.js', 'dist/admin/index.mjs'].map((file) => join(root, file));
const inputs = ['server', 'admin', 'package.json', 'tsconfig.json', 'strapi-server.js', 'strapi-admin.js'].map((file) => join(root, file));

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
  console.log(missing.length > 0 ? 'dist/ is missing: building the plugin…' : 'sources changed since the last build: building the plugin…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
} else {
  console.log('dist/ is up to date with server/ and admin/ (npm run build skipped)');
}
