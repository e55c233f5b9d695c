/**
 * Imports only point down. Layers from the bottom up; a module may import its own
 * layer and any layer below it, never one above, and no import may close a cycle.
 * Checked by `npm run check:dependencies` (run by tests/unit/dependencies.test.ts).
 * See ARCHITECTURE.md.
 */
const LAYERS = [
  ['contracts', '^shared/contracts/'],
  ['pipeline', '^server/src/pipeline/'],
  ['signed-assertions', '^server/src/signed-assertions/'],
  ['identity', '^server/src/identity/'],
  ['settings-schema', '^server/src/settings-schema/'],
  ['infrastructure', '^server/src/strapi/infrastructure/'],
  ['accounts', '^server/src/strapi/accounts/'],
  ['activity', '^server/src/strapi/activity/'],
  ['sessions', '^server/src/strapi/sessions/'],
  ['deprovisioning', '^server/src/strapi/deprovisioning/'],
  ['http', '^server/src/strapi/http/'],
  ['sign-in', '^server/src/strapi/sign-in/'],
  ['guards', '^server/src/strapi/guards/'],
  ['diagnostics', '^server/src/strapi/diagnostics/'],
  ['hand-off', '^server/src/strapi/hand-off/'],
  ['services', '^server/src/services/'],
  ['entry points', '^server/src/(controllers|routes|policies|config)/|^server/src/(register|bootstrap|destroy)\\.ts$'],
  ['plugin', '^server/src/index\\.ts$'],
];

const upward = LAYERS.flatMap(([name, from], index) => {
  const above = LAYERS.slice(index + 1).map(([, path]) => `(${path})`);
  if (above.length === 0) return [];
  return [{
    name: `no-upward-from-${name.replace(/\s+/g, '-')}`,
    comment: `${name} may only import its own layer or the layers below it (ARCHITECTURE.md).`,
    severity: 'error',
    from: { path: from },
    to: { path: above.join('|') },
  }];
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: the modules on it cannot be understood, tested or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'server-never-imports-admin',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^admin/' },
    },
    {
      name: 'admin-never-imports-server',
      comment: 'The admin panel reaches the server over HTTP only; shared types live in shared/contracts/.',
      severity: 'error',
      from: { path: '^admin/' },
      to: { path: '^server/' },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      comment: 'shared/contracts holds plain types and constants that cross the wire.',
      severity: 'error',
      from: { path: '^shared/contracts/' },
      to: { path: '^(server|admin)/' },
    },
    {
      name: 'pipeline-is-pure',
      comment: 'The pipeline carries the security logic and is testable without Strapi.',
      severity: 'error',
      from: { path: '^server/src/(pipeline|signed-assertions|identity|settings-schema)/' },
      to: { path: '(^|/)node_modules/(@strapi|koa)(/|$)|^(@strapi/|koa$)' },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules may be a symbolic link (a worktree sharing another checkout's): keep the paths under node_modules/.
    preserveSymlinks: true,
    exclude: { path: '^(dist|tests/fixture-app)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
