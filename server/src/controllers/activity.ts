import { Readable } from 'node:stream';
import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import type { ActivityLog } from '../strapi/activity/activity-log';
import { csvHeader, csvRow } from '../strapi/activity/activity-csv';
import { FilterError, parseFilters, type ActivityFilters, type ActivityQuery } from '../strapi/activity/activity-query';

interface Dependencies {
  readonly query: ActivityQuery;
  readonly activity: ActivityLog;
}

function filtersOf(ctx: Context): ActivityFilters {
  try {
    return parseFilters(ctx.query as Record<string, unknown>);
  } catch (error) {
    if (error instanceof FilterError) throw new errors.ValidationError(error.message);
    throw error;
  }
}

/**
 * `GET /remote-auth/activity` (a page of rows), `/activity/summary` (per-day
 * counts for the chart, the refusal reasons seen, the recorder's counters) and
 * `/activity/export` (CSV of every matching row). All need
 * `plugin::remote-auth.activity.read` (routes.ts).
 */
export function createActivityController({ query, activity }: Dependencies) {
  return {
    async list(ctx: Context): Promise<void> {
      const filters = filtersOf(ctx);
      await activity.flush(); // refusal folds wait for the end of their window; the page shows them now
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { data: await query.page(filters, Number(ctx.query.page ?? 1), Number(ctx.query.pageSize ?? 25)) };
    },

    async summary(ctx: Context): Promise<void> {
      const filters = filtersOf(ctx);
      await activity.flush();
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { data: { ...(await query.perDay(filters)), recorder: activity.stats() } };
    },

    async export(ctx: Context): Promise<void> {
      const filters = filtersOf(ctx);
      await activity.flush(); // what this instance saw a moment ago belongs in the file
      const chunks = query.all(filters);
      async function* lines() {
        yield csvHeader();
        for await (const records of chunks) yield records.map(csvRow).join('');
      }
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Disposition', `attachment; filename="remote-auth-activity-${new Date().toISOString().slice(0, 10)}.csv"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = Readable.from(lines());
    },
  };
}
