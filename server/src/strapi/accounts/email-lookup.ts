import type { Core } from '@strapi/strapi';
import { logLine } from '../../pipeline/log-text';
import { isMysql } from '../infrastructure/exact-match';
import { createClock, type Clock } from '../infrastructure/clock';

/**
 * Finds the admin user with an e-mail address, case-insensitively, in time
 * that does not grow with the number of admin users.
 *
 * Strapi's `admin::user` service (`findOneByEmail`, 5.54) asks the database for
 * `LOWER(email) = LOWER(?)`, and Strapi declares no index on `admin_users.email`:
 * every first sign-in scanned the whole table (22 ms per lookup at 100,000
 * admins on SQLite, twice per first sign-in).
 *
 * The lookup keeps Strapi's predicate — so it finds what `findOneByEmail`
 * finds, Unicode case rules of each database included — with one exception:
 * on MySQL and MariaDB, `=` compares under the column's collation, and the
 * default ones (`utf8mb4_general_ci`, `…_unicode_ci`) also ignore accents and
 * fold ß to ss, so `jose@corp.example` would find the account of
 * `josé@corp.example`, another mailbox, and an identity would be linked to
 * it (T9, T18). There the lowercased addresses must also be equal byte for
 * byte (`CAST(… AS BINARY)`). It adds an index the database can use:
 * - SQLite, PostgreSQL: an expression index on `lower(email)`;
 * - MySQL, MariaDB (no expression index in MariaDB): a plain index on `email`
 *   and `email = ?` next to Strapi's predicate, which narrows the same rows
 *   when the column's collation is case-insensitive (`…_ci`, the default). With
 *   a case-sensitive collation the narrowing would miss rows, so the lookup
 *   keeps Strapi's predicate alone (a scan) and says so at boot.
 *
 * The index is unique: no two admin users may have addresses Strapi takes for
 * one (`lower(email)`; on MySQL/MariaDB the column under its `…_ci` collation,
 * which is also how the plugin tells a taken address there). Strapi refuses such
 * a second account itself ("Email already taken") but checks before it writes,
 * so two writers at one moment — two instances, or Strapi and the plugin —
 * could both pass its check; the index refuses the second. Where the table
 * already holds two accounts with one address, the unique index cannot be made:
 * the index is a plain one, the reason is logged at boot, and every address the
 * plugin writes takes a lock instead (address-lock.ts; `guardsAddresses`).
 *
 * The database keeps the index in step with every write (Strapi's services,
 * its admin API, bulk queries, raw SQL), so there is no copy that could go
 * stale. Strapi's schema sync removes only indexes it declared itself, and its
 * inspectors do not see expression indexes; should an upgrade rebuild the
 * table without it, `ensureIndex` creates it again at the next start. Until
 * then lookups are only slower, never different, and addresses take the lock
 * (a running instance notices within a minute: `guardsAddresses`).
 */
export const EMAIL_UNIQUE_INDEX = 'remote_auth_admin_users_email_unique';
/** How often a running instance asks whether the unique index is still there (or there now). */
export const UNIQUE_INDEX_RECHECK_MS = 60_000;
/** The plain indexes: where the unique one cannot be made, and what earlier versions created. */
export const EMAIL_INDEX = 'remote_auth_admin_users_email_lower';
export const EMAIL_INDEX_MYSQL = 'remote_auth_admin_users_email';

type Knex = Core.Strapi['db']['connection'];
type Mode = 'lower' | 'collation' | 'scan';
const LOOK_UPS = 'e-mail look-ups of first sign-ins';

export function createEmailLookup(strapi: Core.Strapi, clock: Clock = createClock()) {
  const knex = (): Knex => strapi.db.connection;
  const client = () => strapi.db.dialect.client as string;
  let mode: Mode | null = null;
  let unique = false;
  let checkedAt = 0;

  function target(): { table: string; column: string } {
    const meta = strapi.db.metadata.get('admin::user') as { tableName: string; attributes: Record<string, { columnName?: string }> };
    return { table: meta.tableName, column: meta.attributes.email?.columnName ?? 'email' };
  }

  async function indexExists(name: string, table: string): Promise<boolean> {
    if (client() === 'sqlite') {
      return ((await knex().raw('PRAGMA index_list(??)', [table])) as Array<{ name: string }>).some((row) => row.name === name);
    }
    if (client() === 'postgres') {
      const result = (await knex().raw('SELECT 1 FROM pg_indexes WHERE tablename = ? AND indexname = ? AND schemaname = current_schema()', [table, name])) as {
        rows: unknown[];
      };
      return result.rows.length > 0;
    }
    const [rows] = (await knex().raw(
      'SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?',
      [table, name],
    )) as [unknown[]];
    return rows.length > 0;
  }

  async function collationOf(table: string, column: string): Promise<string> {
    const [rows] = (await knex().raw(
      'SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [table, column],
    )) as [Array<{ c: string | null }>];
    return String(rows[0]?.c ?? '');
  }

  /**
   * The admin users Strapi's own predicate finds for `email` (`lower(email) = lower(?)`, compared
   * under the column's collation), narrowed through the index the look-up mode allows.
   */
  function strapisView(email: string, trx?: Knex) {
    const { table, column } = target();
    const query = (trx ?? knex())(table).whereRaw('lower(??) = lower(?)', [column, email]);
    if (mode === 'collation') query.andWhere(column, email);
    return query;
  }

  /** Creates the index unless it is there; another instance creating it at the same moment is fine. */
  async function create(name: string, table: string, sql: string, bindings: string[], purpose: string): Promise<void> {
    if (await indexExists(name, table)) return;
    try {
      await knex().raw(sql, bindings);
      strapi.log.info(logLine`[remote-auth] created index ${name} on ${table} (${purpose})`);
    } catch (error) {
      if (!(await indexExists(name, table))) throw error;
    }
  }

  /** Drops the index if it is there; another instance dropping it at the same moment is fine. */
  async function drop(name: string, table: string): Promise<void> {
    if (!(await indexExists(name, table))) return;
    try {
      await knex().raw(isMysql(knex()) ? 'DROP INDEX ?? ON ??' : 'DROP INDEX IF EXISTS ??', isMysql(knex()) ? [name, table] : [name]);
    } catch (error) {
      if (await indexExists(name, table)) throw error;
    }
  }

  /** Up to five addresses that several admin users share in Strapi's eyes, for the boot warning. */
  async function shared(table: string, column: string): Promise<string> {
    const key = isMysql(knex()) ? knex().ref(column) : knex().raw('lower(??)', [column]);
    const rows = (await knex()(table)
      .select({ address: key })
      .count({ n: '*' })
      .groupBy(key as never)
      .havingRaw('count(*) > 1')
      .limit(5)) as Array<{ address: string; n: number | string }>;
    return rows.map((row) => `${row.address} (${Number(row.n)} accounts)`).join(', ') || 'none found';
  }

  /**
   * Whether the unique index is there still (dropped by hand, the table rebuilt) or there now (made by
   * another instance once shared addresses were mended): the answer `guardsAddresses` gives from then on.
   */
  async function recheck(): Promise<void> {
    const { table, column } = target();
    const present = await indexExists(EMAIL_UNIQUE_INDEX, table);
    if (present === unique) return;
    unique = present;
    if (present) strapi.log.info(logLine`[remote-auth] ${table}.${column} is unique now (${EMAIL_UNIQUE_INDEX}): addresses are written without the lock`);
    else {
      strapi.log.warn(
        logLine`[remote-auth] the unique index ${EMAIL_UNIQUE_INDEX} on ${table} is gone: every address the plugin writes takes a lock on it until the next start makes the index again`,
      );
    }
  }

  /**
   * The unique index (`plain`: the index the look-up uses when it cannot be made). True when it is
   * there; the plain one then goes (the unique one serves the same look-ups).
   */
  async function makeUnique(table: string, column: string, sql: string, plain: string): Promise<boolean> {
    try {
      await create(EMAIL_UNIQUE_INDEX, table, sql, [EMAIL_UNIQUE_INDEX, table, column], 'one admin user per e-mail address, and the e-mail look-ups of first sign-ins');
    } catch (error) {
      strapi.log.warn(
        logLine`[remote-auth] could not make ${table}.${column} unique (${(error as Error).message}); admin users sharing an address: ${await shared(table, column)}. ` +
          'Until each has an address of its own, every address the plugin writes takes a lock on it instead (slower first sign-ins); the plugin tries again at the next start',
      );
      return false;
    }
    // Not needed beside the unique one (same look-ups); left in place, it costs only writes.
    await drop(plain, table).catch((error: Error) =>
      strapi.log.warn(logLine`[remote-auth] could not drop the index ${plain} on ${table}, which ${EMAIL_UNIQUE_INDEX} replaces (${error.message})`),
    );
    return true;
  }

  return {
    /**
     * Boot: makes sure the index is there, unique where the table allows it
     * (creating it locks writes to the admin user table while it is built: well
     * under a second for 100,000 users). Never fails the boot: without the index
     * the lookup still works, as a scan, and the reason is logged.
     */
    async ensureIndex(): Promise<void> {
      const { table, column } = target();
      unique = false;
      checkedAt = clock.now();
      try {
        if (isMysql(knex())) {
          const collation = await collationOf(table, column);
          if (!collation.endsWith('_ci')) {
            mode = 'scan';
            strapi.log.warn(
              logLine`[remote-auth] ${table}.${column} has the case-sensitive collation "${collation}": e-mail look-ups of first sign-ins scan the admin user table (their cost grows with the number of admin users). A case-insensitive collation (…_ci) lets them use an index`,
            );
            return;
          }
          unique = await makeUnique(table, column, 'CREATE UNIQUE INDEX ?? ON ?? (??)', EMAIL_INDEX_MYSQL);
          if (!unique) await create(EMAIL_INDEX_MYSQL, table, 'CREATE INDEX ?? ON ?? (??)', [EMAIL_INDEX_MYSQL, table, column], LOOK_UPS);
          mode = 'collation';
          return;
        }
        unique = await makeUnique(table, column, 'CREATE UNIQUE INDEX IF NOT EXISTS ?? ON ?? (lower(??))', EMAIL_INDEX);
        if (!unique) await create(EMAIL_INDEX, table, 'CREATE INDEX IF NOT EXISTS ?? ON ?? (lower(??))', [EMAIL_INDEX, table, column], LOOK_UPS);
        mode = 'lower';
      } catch (error) {
        mode = 'scan';
        unique = false;
        strapi.log.warn(
          logLine`[remote-auth] could not create the e-mail index on ${table} (${(error as Error).message}); first sign-ins still work, but their look-up scans the admin user table. The plugin tries again at the next start`,
        );
      }
    },

    /**
     * The admin user Strapi itself would take this address for (its own predicate alone: on
     * MySQL/MariaDB also one whose address equals it only under the column's collation, with
     * accents ignored and ß folded), the lowest id; null when Strapi sees the address as free.
     * Before an address is written (a new account, e-mail sync): Strapi's password login, its
     * forgot-password and its "Email already taken" check look addresses up this way, so an
     * account may not take an address that is another's in Strapi's eyes.
     */
    async findTaken(email: string, trx?: Knex, except?: number): Promise<{ id: number; email: string } | null> {
      const query = strapisView(email, trx).select('id', { email: target().column });
      if (except !== undefined) query.whereNot('id', except);
      const rows = (await query.orderBy('id').limit(1)) as Array<{ id: number | string; email: string }>;
      return rows.length > 0 ? { id: Number(rows[0].id), email: rows[0].email } : null;
    },

    /**
     * The admin user whose address equals `email` case-insensitively (Strapi's
     * `LOWER(email) = LOWER(?)`; on MySQL/MariaDB also byte for byte once lowered),
     * the lowest id when several do: the query, one column `id`, at most one row,
     * to run as a subquery. `trx`: inside a transaction, its connection.
     */
    query(email: string, trx?: Knex) {
      const query = strapisView(email, trx).select('id');
      if (isMysql(knex())) query.andWhereRaw('CAST(lower(??) AS BINARY) = CAST(lower(?) AS BINARY)', [target().column, email]);
      return query.orderBy('id').limit(1);
    },

    /** How look-ups run now: 'lower' (expression index), 'collation' (index on a case-insensitive column), 'scan'. */
    mode: (): Mode => mode ?? 'scan',

    /**
     * Whether the database itself refuses a second admin user with an address Strapi takes for
     * this one (the unique index is there): a write of an address needs no lock, and a write
     * refused for it finds the holder with `findTaken` afterwards. Asked again of the database
     * once a minute at most, in the background (`recheck`): an index dropped while Strapi runs is
     * noticed by the writes after that answer.
     */
    guardsAddresses(): boolean {
      if ((mode === 'lower' || mode === 'collation') && clock.now() - checkedAt >= UNIQUE_INDEX_RECHECK_MS) {
        checkedAt = clock.now();
        recheck().catch((error: Error) => strapi.log.warn(logLine`[remote-auth] could not check the index ${EMAIL_UNIQUE_INDEX}: ${error.message}`));
      }
      return unique;
    },
  };
}

export type EmailLookup = ReturnType<typeof createEmailLookup>;
