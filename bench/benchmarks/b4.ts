/**
 * B4: provisioning. Waves of new identities, B4_CONCURRENCY at a time, signed
 * in by the plugin with autoCreate, alternating with the same accounts made by
 * Strapi's own services in the same process (the ceiling,
 * tests/fixture-app/src/bench-ceiling.js); then the rows are counted straight
 * in the database: no duplicates, nothing missing.
 */
import { B4_CONCURRENCY, BenchError, CEILING_PATH, FLOOD, HEADER, type BenchContext, type Outcome, type Server } from '../lib/bench';
import { num, verdict } from '../lib/compare';
import { median, provisionWave, type Provisioning } from '../lib/load';
import { alternate, formatRatio, spreadOf } from '../lib/rounds';
import { countAdmins } from '../lib/seed-admins';
import { connectDirect } from '../../tests/harness/sql';

export async function b4(ctx: BenchContext, server: Server): Promise<Outcome> {
  const B4_IDENTITIES = ctx.plan.b4Identities;
  const { proc, database } = server;
  const identities = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `b4-${tag}-${String(i).padStart(4, '0')}@bench.example`);
  // The anchor: the same user, role link and session made by Strapi's own services in this process (bench-ceiling.js).
  const ceilingWave = (tag: string, n: number) =>
    provisionWave(proc.origin, HEADER, Array.from({ length: n }, (_, i) => `ceiling-${tag}-${i}@bench.example`), B4_CONCURRENCY, CEILING_PATH);
  const adminsAtStart = await countAdmins(database);
  ctx.log(`${ctx.elapsed().padStart(5)}  B4: warm-up (${ctx.plan.b4Warm} identities, plugin and Strapi's ceiling; ${adminsAtStart} admin users)`);
  const warm = await provisionWave(proc.origin, HEADER, identities('warm', ctx.plan.b4Warm), B4_CONCURRENCY);
  const ceilingWarm = await ceilingWave('warm', ctx.plan.b4Warm);
  if (ceilingWarm.signedIn !== ctx.plan.b4Warm) throw new BenchError(`B4: Strapi's ceiling route failed: ${JSON.stringify(ceilingWarm.failures)}; log ${proc.logFile}`);
  const before = proc.memory();
  const waves: Array<Provisioning & { tag: string; usersPerSecond: number }> = [];
  const ceilings: Array<{ seconds: number; signedIn: number; usersPerSecond: number; failures: Record<string, number> }> = [];
  for (let r = 1; r <= ctx.plan.b4Rounds; r++) {
    const tag = `r${r}`;
    const [wave, ceiling] = await alternate(
      r - 1,
      () => provisionWave(proc.origin, HEADER, identities(tag, B4_IDENTITIES), B4_CONCURRENCY),
      () => ceilingWave(tag, B4_IDENTITIES),
    );
    ctx.checkAlive();
    waves.push({ ...wave, tag, usersPerSecond: wave.signedIn / wave.seconds });
    ceilings.push({ seconds: ceiling.seconds, signedIn: ceiling.signedIn, failures: ceiling.failures, usersPerSecond: ceiling.signedIn / ceiling.seconds });
    const failed = Object.values(wave.failures).reduce((s, n) => s + n, 0);
    ctx.log(
      `${ctx.elapsed().padStart(5)}  B4: round ${r}/${ctx.plan.b4Rounds}  plugin ${wave.signedIn} signed in, ${failed} failed in ${wave.seconds.toFixed(2)} s → ${num(wave.signedIn / wave.seconds)} users/s; ` +
        `Strapi's ceiling ${num(ceiling.signedIn / ceiling.seconds)} users/s`,
    );
  }
  const after = proc.memory();
  const adminsAtEnd = await countAdmins(database);

  const sql = await connectDirect(database, { readonly: true });
  let duplicates: Record<string, unknown[]>;
  let missing = 0;
  try {
    duplicates = {
      adminUsersSameEmail: await sql.query('SELECT LOWER(email) AS email, COUNT(*) AS n FROM admin_users GROUP BY LOWER(email) HAVING COUNT(*) > 1'),
      identityRowsSameSubject: await sql.query('SELECT source, subject, COUNT(*) AS n FROM remote_auth_identities GROUP BY source, subject HAVING COUNT(*) > 1'),
      identitiesSharingAUser: await sql.query("SELECT user_id, COUNT(*) AS n FROM remote_auth_identities WHERE subject LIKE 'b4-%' GROUP BY user_id HAVING COUNT(*) > 1"),
    };
    for (const wave of waves) {
      const [users] = await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM admin_users WHERE email LIKE ?', [`b4-${wave.tag}-%`]);
      const [links] = await sql.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM remote_auth_identities l JOIN admin_users u ON u.id = l.user_id WHERE l.subject LIKE ?',
        [`b4-${wave.tag}-%`],
      );
      // Every identity that got a session has exactly one user and one link.
      missing += Math.max(0, wave.signedIn - Number(users.n)) + Math.max(0, wave.signedIn - Number(links.n));
    }
  } finally {
    await sql.close();
  }
  const duplicateRows = Object.values(duplicates).reduce((sum, rows) => sum + rows.reduce((s: number, row) => s + Number((row as { n: number }).n) - 1, 0), 0);
  const failedRequests = waves.reduce((sum, w) => sum + Object.values(w.failures).reduce((s, n) => s + n, 0), 0);
  const errors = failedRequests + missing;
  const rate = median(waves.map((w) => w.usersPerSecond));
  const ceilingRate = median(ceilings.map((c) => c.usersPerSecond));
  // The ratio of each round's pair (plugin and ceiling side by side), then their median: both sides
  // slow down as the admin user table grows round after round, so the median of each side alone
  // may pair the plugin of one round with the ceiling of another.
  const paired = waves.map((w, i) => w.usersPerSecond / ceilings[i].usersPerSecond);
  const ofCeiling = median(paired);
  const ceilingSpread = spreadOf(paired, { op: '≥', limit: 0.9 });
  const rateGoal = ctx.db === 'sqlite';
  const met = (!rateGoal || rate >= 100) && ofCeiling >= 0.9 && errors === 0 && duplicateRows === 0;
  const mb = (kb?: number) => (kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MB`);
  if (duplicateRows > 0) throw new BenchError(`B4: ${duplicateRows} duplicate rows: ${JSON.stringify(duplicates)}`);
  const totalRequests = waves.length * B4_IDENTITIES;
  if (failedRequests / totalRequests > FLOOD) {
    throw new BenchError(`B4: ${failedRequests} of ${totalRequests} first sign-ins failed: ${JSON.stringify(waves.map((w) => w.failures))}`);
  }
  return {
    id: 'B4',
    title: `${B4_IDENTITIES.toLocaleString('en-US')} new identities, ${B4_CONCURRENCY} at a time, autoCreate`,
    unit: 'users/s',
    figure: 'users/s',
    value: rate,
    goal: `≥ 0.9 of Strapi's ceiling, ${rateGoal ? '≥ 100 users/s, ' : ''}0 errors, 0 dup.`,
    met,
    details: {
      ceiling: { usersPerSecond: ceilingRate, rounds: ceilings, warmUp: { signedIn: ceilingWarm.signedIn, seconds: ceilingWarm.seconds } },
      ofCeiling,
      ofCeilingSpread: ceilingSpread,
      adminUsers: { atStart: adminsAtStart, atEnd: adminsAtEnd },
      rounds: waves.map(({ tag, seconds, signedIn, failures, usersPerSecond }) => ({ tag, seconds, signedIn, failures, usersPerSecond })),
      warmUp: { signedIn: warm.signedIn, seconds: warm.seconds, failures: warm.failures },
      errors,
      failedRequests,
      missingRows: missing,
      duplicateRows,
      duplicates,
      rssBeforeKb: before?.rssKb,
      rssAfterKb: after?.rssKb,
      peakRssKb: after?.hwmKb,
    },
    rows: [
      [
        'B4',
        `${B4_IDENTITIES.toLocaleString('en-US')} new identities ×${B4_CONCURRENCY}, autoCreate (${ctx.plan.b4Rounds} round${ctx.plan.b4Rounds > 1 ? 's' : ''}; ${adminsAtStart}→${adminsAtEnd} admins)`,
        `${num(rate)} users/s`,
        `Strapi's ceiling ${num(ceilingRate)} users/s`,
        `A/B ${formatRatio(ofCeiling, ceilingSpread)}`,
        rateGoal ? '≥ 0.9, ≥ 100/s' : '≥ 0.9',
        verdict(ctx, (!rateGoal || rate >= 100) && ofCeiling >= 0.9),
      ],
      ['', '  rows after B4, memory', `${errors} errors, ${duplicateRows} dup.`, '', `RSS ${mb(before?.rssKb)} → ${mb(after?.rssKb)}`, '0, 0', verdict(ctx, errors === 0 && duplicateRows === 0)],
    ],
  };
}
