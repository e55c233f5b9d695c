import type { Core } from '@strapi/strapi';
import type { Background } from '../infrastructure/background';
import type { ActivityRow } from './activity-entry';
import { ACTIVITY_TABLE } from './activity-table';

/** A refused batch is retried row by row; this many failures in a row before any row was written mean the database is down. */
const GIVE_UP_AFTER = 3;

/**
 * Writes rows of the activity table: a batch in one INSERT, and when the
 * database refuses it, row by row. Failures are settled by `background`
 * (logged once per streak), never thrown; `write` answers how many rows made it.
 */
export function createActivityWriter(strapi: Core.Strapi, background: Background, task: string) {
  const insert = (rows: ActivityRow[]) =>
    background.settle(task, async () => {
      await strapi.db.connection(ACTIVITY_TABLE).insert(rows);
      return true;
    });

  /** The rows of a refused batch one by one: one row the database refuses must not take its neighbours with it. */
  async function writeOneByOne(rows: ActivityRow[]): Promise<number> {
    let written = 0;
    let failedInARow = 0;
    for (const row of rows) {
      if (await insert([row])) {
        written++;
        failedInARow = 0;
      } else if (++failedInARow >= GIVE_UP_AFTER && written === 0) {
        break; // not a bad row: the database is down; the rest is dropped without a query each
      }
    }
    return written;
  }

  return {
    async write(rows: ActivityRow[]): Promise<number> {
      return (await insert(rows)) ? rows.length : rows.length > 1 ? await writeOneByOne(rows) : 0;
    },
  };
}
