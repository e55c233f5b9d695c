import type { Core } from '@strapi/strapi';
import { ACTIVITY_KINDS, type ActivityKind } from './activity-log';
import { ACTIVITY_TABLE } from './activity-table';
import { databaseIdOf } from '../infrastructure/database-id';
import type { ActivityRecord } from '../../../../shared/contracts/activity';

type Knex = Core.Strapi['db']['connection'];
type Query = ReturnType<Knex>;

const DAY_MS = 86_400_000;
export const MAX_PAGE_SIZE = 100;
/** The chart covers at most this many days; a longer range shows its last days. */
export const MAX_CHART_DAYS = 366;

export interface ActivityFilters {
  /** An admin user id, or part of an identity or of an account's e-mail address. */
  readonly person: string | null;
  readonly kinds: readonly ActivityKind[];
  readonly reason: string | null;
  /** Inclusive UTC days, YYYY-MM-DD. */
  readonly from: string | null;
  readonly to: string | null;
}

export class FilterError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayStart = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

function oneValue(raw: unknown, name: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw new FilterError(`${name} must be given once`);
  return raw.trim() === '' ? null : raw.trim().slice(0, 255);
}

function day(raw: unknown, name: string): string | null {
  const value = oneValue(raw, name);
  if (value === null) return null;
  if (!DAY.test(value) || Number.isNaN(dayStart(value))) throw new FilterError(`${name} must be a day as YYYY-MM-DD, got "${value}"`);
  return value;
}

/** The filters of a query string (`person`, `kind` — comma-separated —, `reason`, `from`, `to`); FilterError names what is wrong. */
export function parseFilters(query: Record<string, unknown>): ActivityFilters {
  const kinds = (oneValue(query.kind, 'kind') ?? '')
    .split(',')
    .map((kind) => kind.trim())
    .filter(Boolean);
  const unknown = kinds.filter((kind) => !ACTIVITY_KINDS.includes(kind as ActivityKind));
  if (unknown.length > 0) throw new FilterError(`unknown kind ${unknown.join(', ')}; known: ${ACTIVITY_KINDS.join(', ')}`);
  const from = day(query.from, 'from');
  const to = day(query.to, 'to');
  if (from && to && from > to) throw new FilterError(`from (${from}) is after to (${to})`);
  return { person: oneValue(query.person, 'person'), kinds: kinds as ActivityKind[], reason: oneValue(query.reason, 'reason'), from, to };
}

/** A LIKE pattern for "contains"; `!` escapes (a backslash means different things in MySQL and PostgreSQL string literals). */
const likeEscaped = (text: string): string => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** One row of the activity API (shared/contracts/activity.ts). */
export type { ActivityRecord };

const parseDetails = (text: unknown): Record<string, unknown> | null => {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** Reading the activity table: filtered pages, everything for an export, per-day counts for the chart. */
export function createActivityQuery(strapi: Core.Strapi) {
  const knex = (): Knex => strapi.db.connection;

  function filtered(filters: ActivityFilters, options: { kinds?: boolean } = {}): Query {
    const query = knex()(ACTIVITY_TABLE);
    if (filters.from) query.where('at', '>=', dayStart(filters.from));
    if (filters.to) query.where('at', '<', dayStart(filters.to) + DAY_MS);
    if (options.kinds !== false && filters.kinds.length > 0) query.whereIn('kind', filters.kinds as string[]);
    if (filters.reason) query.where('reason', filters.reason);
    if (filters.person) {
      const person = filters.person;
      const pattern = likeEscaped(person);
      query.where((where) => {
        // Digits that cannot be an id (past 2^31−1) match no user: never compared with the INT column.
        const userId = databaseIdOf(person);
        if (userId !== null) where.orWhere('user_id', userId);
        where.orWhereRaw("lower(identity) like ? escape '!'", [pattern]);
        where.orWhereIn('user_id', knex()('admin_users').select('id').whereRaw("lower(email) like ? escape '!'", [pattern]));
      });
    }
    return query;
  }

  async function toRecords(rows: Array<Record<string, unknown>>): Promise<ActivityRecord[]> {
    const ids = [...new Set(rows.map((row) => row.user_id).filter((id) => id !== null && id !== undefined).map(Number))];
    const emails = new Map<number, string>();
    if (ids.length > 0) {
      for (const user of (await knex()('admin_users').whereIn('id', ids).select('id', 'email')) as Array<{ id: number; email: string }>) {
        emails.set(Number(user.id), user.email);
      }
    }
    return rows.map((row) => {
      const userId = row.user_id === null || row.user_id === undefined ? null : Number(row.user_id);
      return {
        id: Number(row.id),
        at: new Date(Number(row.at)).toISOString(),
        kind: String(row.kind),
        reason: (row.reason as string | null) ?? null,
        user: userId === null ? null : { id: userId, email: emails.get(userId) ?? null },
        identity: (row.identity as string | null) ?? null,
        peer: (row.peer as string | null) ?? null,
        source: (row.source as string | null) ?? null,
        details: parseDetails(row.details),
        instance: (row.instance as string | null) ?? null,
      };
    });
  }

  return {
    async page(filters: ActivityFilters, page: number, pageSize: number) {
      const size = Math.min(Math.max(1, Math.floor(pageSize) || 25), MAX_PAGE_SIZE);
      const current = Math.max(1, Math.floor(page) || 1);
      const counted = (await filtered(filters).count({ n: '*' }).first()) as { n?: unknown } | undefined;
      const total = Number(counted?.n ?? 0);
      const rows = await filtered(filters)
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(size)
        .offset((current - 1) * size)
        .select('*');
      return { results: await toRecords(rows), pagination: { page: current, pageSize: size, total, pageCount: Math.ceil(total / size) } };
    },

    /** Every matching row, newest first, `chunk` rows at a time (an export of any size holds one chunk in memory). */
    async *all(filters: ActivityFilters, chunk = 1_000): AsyncGenerator<ActivityRecord[]> {
      let beforeId: number | null = null;
      for (;;) {
        const query = filtered(filters).orderBy('id', 'desc').limit(chunk).select('*');
        if (beforeId !== null) query.where('id', '<', beforeId);
        const rows = (await query) as Array<Record<string, unknown>>;
        if (rows.length === 0) return;
        yield await toRecords(rows);
        beforeId = Number(rows[rows.length - 1].id);
        if (rows.length < chunk) return;
      }
    },

    /** Sign-ins and refusals per UTC day over the filtered range (every day present, zeros included), and the refusal reasons seen in it. */
    async perDay(filters: ActivityFilters, today = new Date().toISOString().slice(0, 10)) {
      const to = filters.to ?? today;
      const earliest = new Date(dayStart(to) - (MAX_CHART_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
      const from = filters.from && filters.from > earliest ? filters.from : filters.from ? earliest : new Date(dayStart(to) - 29 * DAY_MS).toISOString().slice(0, 10);
      const range = { ...filters, from, to };
      const grouped = (await filtered(range, { kinds: false })
        .whereIn('kind', ['sign-in', 'refused'])
        .groupBy('day', 'kind')
        .select('day', 'kind')
        .count({ n: '*' })) as Array<{ day: string; kind: string; n: unknown }>;
      const days: Array<{ day: string; signIns: number; refusals: number }> = [];
      const index = new Map<string, (typeof days)[number]>();
      for (let at = dayStart(from); at <= dayStart(to); at += DAY_MS) {
        const entry = { day: new Date(at).toISOString().slice(0, 10), signIns: 0, refusals: 0 };
        days.push(entry);
        index.set(entry.day, entry);
      }
      for (const row of grouped) {
        const entry = index.get(String(row.day));
        if (!entry) continue;
        if (row.kind === 'sign-in') entry.signIns += Number(row.n);
        else entry.refusals += Number(row.n);
      }
      const reasons = ((await filtered({ ...range, reason: null }, { kinds: false }).where('kind', 'refused').distinct('reason')) as Array<{ reason: string | null }>)
        .map((row) => row.reason)
        .filter((reason): reason is string => Boolean(reason))
        .sort();
      return { from, to, days, reasons };
    },
  };
}

export type ActivityQuery = ReturnType<typeof createActivityQuery>;
