import type { Core } from '@strapi/strapi';
import { CREATED_COLUMN, LINKS_TABLE } from '../accounts/identity-links';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import { DEVICE_PREFIX } from './plugin-sessions';
import { isDatabaseId } from '../infrastructure/database-id';
import type { SsoPerson as WirePerson, SsoSession as WireSession } from '../../../../shared/contracts/sessions';

/**
 * The sessions this plugin started, read from Strapi's session table — so
 * every instance sees the same list. A session is a device family: Strapi
 * rotates the refresh token (a new row, status "active"; the old one
 * "rotated") but keeps the device id, which ours start with DEVICE_PREFIX.
 * A family is live while it has an active row that has not expired.
 */
export interface SsoSession {
  /** The device id without the prefix: the handle the API revokes by. */
  readonly id: string;
  readonly user: Person;
  readonly startedAt: string;
  /** When the browser last renewed its token (persistent and strict mode alike). */
  readonly renewedAt: string;
  /** The idle or absolute expiry, whichever comes first. */
  readonly expiresAt: string;
}

export interface Person {
  readonly id: number;
  readonly email: string | null;
  readonly firstname: string | null;
  readonly lastname: string | null;
  readonly isActive: boolean;
  readonly isSuperAdmin: boolean;
  /** 'created': the plugin made the account; 'linked': it linked an existing one; null: no identity link. */
  readonly managed: 'created' | 'linked' | null;
  readonly subject: string | null;
  /** The last time the proxy's header signed this person in or was seen on their requests (once a minute at most). */
  readonly lastSeenAt: string | null;
}

/** What the sessions API answers must fit what the panel reads (shared/contracts/sessions.ts): a drift does not compile. */
type Fits<T extends U, U> = T;
export type SessionsFitContract = [Fits<SsoSession, WireSession>, Fits<Person, WirePerson>];

export interface Page<T> {
  readonly results: T[];
  readonly pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());
const bool = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 't';

/** Column names of a Strapi model's attributes, as its metadata says (Strapi owns the naming). */
function columnsOf(strapi: Core.Strapi, uid: string) {
  const meta = strapi.db.metadata.get(uid) as unknown as {
    tableName: string;
    attributes: Record<string, { columnName?: string; joinTable?: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }>;
  };
  return {
    table: meta.tableName,
    column: (attribute: string) => meta.attributes[attribute]?.columnName ?? attribute,
    joinTable: (attribute: string) => meta.attributes[attribute]?.joinTable,
  };
}

export function createSessionList(strapi: Core.Strapi) {
  const knex = () => strapi.db.connection;

  /** Session table: the live rows of our families (optionally of one person). */
  function liveRows(userId?: number) {
    const s = columnsOf(strapi, 'admin::session');
    const now = new Date();
    const query = knex()(s.table)
      .where(s.column('origin'), 'admin')
      .andWhere(s.column('status'), 'active')
      .andWhere(s.column('deviceId'), 'like', `${DEVICE_PREFIX}%`)
      .andWhere(s.column('expiresAt'), '>', now)
      .andWhere((q) => q.whereNull(s.column('absoluteExpiresAt')).orWhere(s.column('absoluteExpiresAt'), '>', now));
    if (userId !== undefined) query.andWhere(s.column('userId'), String(userId));
    return { query, s };
  }

  /** Users with their link and Super Admin flag, by id. */
  async function people(asked: number[]): Promise<Map<number, Person>> {
    const out = new Map<number, Person>();
    // An id that cannot be a row's is nobody (and must not reach the INT columns: an error there, not "no such user").
    const ids = asked.filter(isDatabaseId);
    if (ids.length === 0) return out;
    const u = columnsOf(strapi, 'admin::user');
    const r = columnsOf(strapi, 'admin::role');
    const join = u.joinTable('roles');
    const users = (await knex()(u.table)
      .whereIn('id', ids)
      .select('id', u.column('email'), u.column('firstname'), u.column('lastname'), `${u.column('isActive')} as is_active`)) as Array<Record<string, unknown>>;
    const supers = join
      ? new Set(
          ((await knex()(join.name)
            .join(r.table, `${r.table}.id`, `${join.name}.${join.inverseJoinColumn.name}`)
            .whereIn(`${join.name}.${join.joinColumn.name}`, ids)
            .andWhere(`${r.table}.${r.column('code')}`, SUPER_ADMIN_ROLE_CODE)
            .select(`${join.name}.${join.joinColumn.name} as user_id`)) as Array<{ user_id: unknown }>).map((row) => Number(row.user_id)),
        )
      : new Set<number>();
    const links = (await knex()(LINKS_TABLE).whereIn('user_id', ids).select('user_id', 'subject', 'last_seen_at', CREATED_COLUMN)) as Array<Record<string, unknown>>;
    for (const row of users) {
      const id = Number(row.id);
      const link = links.find((l) => Number(l.user_id) === id);
      out.set(id, {
        id,
        email: (row[u.column('email')] as string) ?? null,
        firstname: (row[u.column('firstname')] as string) ?? null,
        lastname: (row[u.column('lastname')] as string) ?? null,
        isActive: bool(row.is_active),
        isSuperAdmin: supers.has(id),
        managed: link ? (bool(link[CREATED_COLUMN]) ? 'created' : 'linked') : null,
        subject: link ? String(link.subject) : null,
        lastSeenAt: link ? iso(link.last_seen_at) : null,
      });
    }
    return out;
  }

  const pageOf = (page: number, pageSize: number, total: number) => ({ page, pageSize, total, pageCount: Math.ceil(total / pageSize) });

  return {
    people,

    /** Live sessions of ours, newest renewal first. */
    async sessions({ page, pageSize, userId }: { page: number; pageSize: number; userId?: number }): Promise<Page<SsoSession>> {
      const { query, s } = liveRows(userId);
      const device = s.column('deviceId');
      const totalRow = (await query.clone().countDistinct({ n: device }).first()) as { n: unknown } | undefined;
      const total = Number(totalRow?.n ?? 0);
      const rows = (await query
        .clone()
        .groupBy(device, s.column('userId'))
        .select({ device_id: device, user_id: s.column('userId') })
        .max({ renewed: s.column('createdAt'), expires: s.column('expiresAt'), absolute: s.column('absoluteExpiresAt') })
        .orderBy('renewed', 'desc')
        .orderBy(device)
        .offset((page - 1) * pageSize)
        .limit(pageSize)) as Array<Record<string, unknown>>;
      const devices = rows.map((row) => String(row.device_id));
      const started = new Map(
        devices.length === 0
          ? []
          : ((await knex()(s.table).whereIn(device, devices).groupBy(device).select({ device_id: device }).min({ started: s.column('createdAt') })) as Array<
              Record<string, unknown>
            >).map((row) => [String(row.device_id), row.started]),
      );
      const persons = await people([...new Set(rows.map((row) => Number(row.user_id)))]);
      const results: SsoSession[] = [];
      for (const row of rows) {
        const user = persons.get(Number(row.user_id));
        if (!user) continue; // the user was deleted; Strapi drops the session at its next use
        const idle = new Date(row.expires as string).getTime();
        const absolute = row.absolute ? new Date(row.absolute as string).getTime() : Infinity;
        results.push({
          id: String(row.device_id).slice(DEVICE_PREFIX.length),
          user,
          startedAt: iso(started.get(String(row.device_id)) ?? row.renewed) as string,
          renewedAt: iso(row.renewed) as string,
          expiresAt: new Date(Math.min(idle, absolute)).toISOString(),
        });
      }
      return { results, pagination: pageOf(page, pageSize, total) };
    },

    /** Accounts linked to an identity (the accounts single sign-on manages), most recently seen first. */
    async accounts({ page, pageSize }: { page: number; pageSize: number }): Promise<Page<Person & { sessions: number }>> {
      const total = Number(((await knex()(LINKS_TABLE).countDistinct({ n: 'user_id' }).first()) as { n: unknown } | undefined)?.n ?? 0);
      const ids = ((await knex()(LINKS_TABLE)
        .groupBy('user_id')
        .select('user_id')
        .max({ seen: 'last_seen_at' })
        .orderBy('seen', 'desc')
        .orderBy('user_id')
        .offset((page - 1) * pageSize)
        .limit(pageSize)) as Array<{ user_id: unknown }>).map((row) => Number(row.user_id));
      const persons = await people(ids);
      const { query, s } = liveRows();
      const counts = new Map(
        ids.length === 0
          ? []
          : ((await query
              .whereIn(s.column('userId'), ids.map(String))
              .groupBy(s.column('userId'))
              .select({ user_id: s.column('userId') })
              .countDistinct({ n: s.column('deviceId') })) as Array<{ user_id: unknown; n: unknown }>).map((row) => [Number(row.user_id), Number(row.n)]),
      );
      const results = ids.flatMap((id) => {
        const person = persons.get(id);
        return person ? [{ ...person, sessions: counts.get(id) ?? 0 }] : [];
      });
      return { results, pagination: pageOf(page, pageSize, total) };
    },

    /** The device ids of a person's live sessions of ours (to revoke them one family at a time). */
    async devicesOf(userId: number): Promise<string[]> {
      const s = columnsOf(strapi, 'admin::session');
      const rows = (await knex()(s.table)
        .where(s.column('userId'), String(userId))
        .andWhere(s.column('origin'), 'admin')
        .andWhere(s.column('deviceId'), 'like', `${DEVICE_PREFIX}%`)
        .distinct({ device_id: s.column('deviceId') })) as Array<{ device_id: string }>;
      return rows.map((row) => row.device_id);
    },

    /** The person a session of ours (by API handle) belongs to, if it exists. */
    async ownerOf(id: string): Promise<number | null> {
      const s = columnsOf(strapi, 'admin::session');
      const row = (await knex()(s.table)
        .where(s.column('deviceId'), `${DEVICE_PREFIX}${id}`)
        .andWhere(s.column('origin'), 'admin')
        .first({ user_id: s.column('userId') })) as { user_id: unknown } | undefined;
      return row ? Number(row.user_id) : null;
    },
  };
}

export type SessionList = ReturnType<typeof createSessionList>;
