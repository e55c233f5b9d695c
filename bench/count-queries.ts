/**
 * `npm run bench:queries [-- --db postgres|mysql|sqlite]`: how many SQL statements a first
 * sign-in costs, the plugin's (`/remote-auth/login` with autoCreate) beside Strapi's own ceiling
 * (B4's anchor, tests/fixture-app/src/bench-ceiling.js), counted with knex's `query` event in one
 * booted app. A count, not a time: the same on a busy machine as on a quiet one.
 *
 * Each side signs in SIGN_INS new identities one after another; the figure is statements per
 * sign-in (BEGIN and COMMIT included: each is a round trip to a server database). With `--show`,
 * the statements of each side's last sign-in are printed.
 */
import { request } from '../tests/harness/http';
import { startStrapi } from '../tests/harness/strapi';

const SIGN_INS = 20;
const db = process.argv.includes('--db') ? process.argv[process.argv.indexOf('--db') + 1] : 'sqlite';
process.env.TEST_DB = db;
process.env.REMOTE_AUTH_BENCH_CEILING = '1';

const show = process.argv.includes('--show');

async function main(): Promise<void> {
  const app = await startStrapi({ config: { trustedProxies: ['127.0.0.1/32'], autoCreate: true, defaultRoles: ['strapi-editor'], maxNewUsersPerMinute: 0 } });
  try {
    let statements: string[] = [];
    const knex = app.strapi.db.connection as unknown as { on(event: 'query', listener: (query: { sql: string }) => void): void };
    knex.on('query', (query) => statements.push(query.sql));
    const activity = app.strapi.plugin('remote-auth').service('activity') as { flush(): Promise<void> };
    const measure = async (side: string, path: string): Promise<number> => {
      let count = 0;
      for (let i = 0; i < SIGN_INS; i++) {
        statements = [];
        const res = await request(app.origin, path, { headers: { 'Remote-User': `${side}-${i}@queries.example`, Accept: 'text/html' } });
        if (res.status !== 302) throw new Error(`${side}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
        await activity.flush(); // the activity rows of a sign-in are written a moment later, in batches
        count += statements.length;
      }
      if (show) console.log(`${side}, the last sign-in:\n  ${statements.join('\n  ')}`);
      return count / SIGN_INS;
    };
    const plugin = await measure('plugin', '/remote-auth/login');
    const ceiling = await measure('ceiling', '/bench-ceiling/sign-in');
    console.log(`statements per first sign-in on ${db} (${SIGN_INS} sign-ins each, one at a time)`);
    console.log(`  plugin            ${plugin.toFixed(1)}`);
    console.log(`  Strapi's ceiling  ${ceiling.toFixed(1)}`);
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
