'use strict';
/**
 * Prepares a compat app: a real Strapi app pinned to one Strapi version that
 * installs the plugin the way a user does — from the tarball `npm pack` makes,
 * with plain `npm install` (from npm's cache where it has the packages, --prefer-offline; npm's default strict peer resolution, no
 * --legacy-peer-deps, no overrides) — then builds its admin panel.
 *
 *   npm run build                                  # the plugin's dist/
 *   node tests/compat/prepare.js 5.24.1            # pack, install, build admin
 *   REMOTE_AUTH_FIXTURE=tests/compat/strapi-5.24.1 node --import tsx --test … # boot it in the suites
 *
 * The app's config and content types are copied from tests/fixture-app (except
 * config/plugins.js, which has no `resolve:`), so the suites see the same app.
 * Prints the time each step took.
 */
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, copyFileSync, realpathSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'tests', 'fixture-app');
const version = process.argv[2];
if (!version) {
  console.error(`usage: node tests/compat/prepare.js <strapi version>  (one of: ${readdirSync(__dirname).filter((d) => d.startsWith('strapi-')).map((d) => d.slice(7)).join(', ')})`);
  process.exit(2);
}
const app = join(__dirname, `strapi-${version}`);
if (!existsSync(join(app, 'package.json'))) {
  console.error(`${app}/package.json is missing: add a compat app for Strapi ${version} first`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'server', 'index.js'))) {
  console.error('dist/ is missing: run "npm run build" first');
  process.exit(2);
}

const timings = [];
const step = (name, fn) => {
  const started = Date.now();
  console.log(`\n--- ${name}`);
  fn();
  timings.push([name, (Date.now() - started) / 1000]);
};
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' } });

step('npm pack', () => {
  // Packed into a folder of its own, then moved into place only when it differs: two apps
  // prepared side by side (CI) never see a half-written tarball (npm pack's output is
  // byte-for-byte the same for the same dist/).
  const packed = mkdtempSync(join(__dirname, '.pack-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packed], { cwd: root, encoding: 'utf8' });
    const [{ filename }] = JSON.parse(out);
    const tarball = join(__dirname, 'strapi-plugin-remote-auth.tgz');
    const fresh = readFileSync(join(packed, filename));
    if (!existsSync(tarball) || !fresh.equals(readFileSync(tarball))) renameSync(join(packed, filename), tarball);
  } finally {
    rmSync(packed, { recursive: true, force: true });
  }
});

step('copy the fixture app', () => {
  for (const entry of ['config', 'src', 'public', 'favicon.png', 'tsconfig.json', 'fixture-app.d.ts']) {
    cpSync(join(fixture, entry), join(app, entry), { recursive: true, force: true });
  }
  copyFileSync(join(__dirname, 'plugins.js'), join(app, 'config', 'plugins.js'));
});

step(`npm install (Strapi ${version}, plugin from the tarball, strict peers)`, () => {
  // A fresh copy of the plugin every time: npm would keep an older unpacked tarball.
  rmSync(join(app, 'node_modules', 'strapi-plugin-remote-auth'), { recursive: true, force: true });
  // Native modules (better-sqlite3) are built for one Node ABI: prepared before with
  // another Node (CI runs 5.54.0 on the newest Node), they are installed anew.
  const abiStamp = join(app, 'node_modules', '.remote-auth-node-abi');
  if (existsSync(abiStamp) && readFileSync(abiStamp, 'utf8') !== process.versions.modules) {
    rmSync(join(app, 'node_modules', 'better-sqlite3'), { recursive: true, force: true });
  }
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--legacy-peer-deps=false'], app);
  writeFileSync(abiStamp, process.versions.modules);
  const installed = realpathSync(join(app, 'node_modules', 'strapi-plugin-remote-auth'));
  if (!installed.startsWith(join(app, 'node_modules'))) throw new Error(`the plugin resolves to ${installed}, not into the app's node_modules`);
  // One copy of each library Strapi and the plugin share: Strapi's error middleware only
  // recognises errors made by its own @strapi/utils (instanceof).
  const strapiCore = dirname(require.resolve('@strapi/core/package.json', { paths: [dirname(require.resolve('@strapi/strapi/package.json', { paths: [app] }))] }));
  const strapiAdmin = dirname(require.resolve('@strapi/admin/package.json', { paths: [app] }));
  for (const [shared, user] of [['@strapi/utils', strapiCore], ['@strapi/design-system', strapiAdmin], ['react-intl', strapiAdmin]]) {
    const ours = realpathSync(require.resolve(shared, { paths: [installed] }));
    const theirs = realpathSync(require.resolve(shared, { paths: [user] }));
    if (ours !== theirs) throw new Error(`two copies of ${shared}: the plugin loads ${ours}, Strapi ${theirs}`);
  }
});

step("type-check the README's config/plugins.ts (strict)", () => {
  const dir = join(app, 'readme-check');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(__dirname, 'readme-plugins.ts'), join(dir, 'readme-plugins.ts'));
  cpSync(join(__dirname, 'readme-tsconfig.json'), join(dir, 'tsconfig.json'));
  run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [app] }), '-p', dir], app);
});

step('strapi build (admin panel)', () => {
  rmSync(join(app, 'build'), { recursive: true, force: true });
  run(join(app, 'node_modules', '.bin', 'strapi'), ['build'], app);
});

console.log(`\nCompat app for Strapi ${version} ready on Node ${process.versions.node}: ${app}`);
for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${name}`);
