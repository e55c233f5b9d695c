/**
 * Reading the plugin's activity table in a test: rows written since a mark,
 * after the recorder's buffer (and any pending refusal folds) was flushed.
 *
 *   const rows = activityRows(() => app);
 *   const mark = await rows.lastId();
 *   … requests …
 *   const refused = await rows.since(mark, { kind: 'refused' });
 */
import type { ActivityRow } from '../../server/src/strapi/activity/activity-entry';
import { ACTIVITY_TABLE } from '../../server/src/strapi/activity/activity-table';
import type { TestStrapi } from './strapi';

/** A row as the table holds it: what the recorder writes (ActivityRow), with its id. */
export type ActivityRowRead = ActivityRow & { id: number };

export function activityRows(app: () => TestStrapi) {
  const recorder = () => app().strapi.plugin('remote-auth').service('activity') as { flush(): Promise<void> };
  return {
    /** Rows after `afterId` (optionally only those matching `where`), oldest first. */
    async since(afterId: number, where: Partial<ActivityRowRead> = {}): Promise<ActivityRowRead[]> {
      await recorder().flush();
      return (await app().strapi.db.connection(ACTIVITY_TABLE).where('id', '>', afterId).where(where).orderBy('id')) as ActivityRowRead[];
    },
    /** The newest row's id (0 for none): the mark to read from. */
    async lastId(): Promise<number> {
      await recorder().flush();
      const row = await app().strapi.db.connection(ACTIVITY_TABLE).max({ id: 'id' }).first();
      return Number(row?.id ?? 0);
    },
    /** A row's details, parsed. */
    details: (row: ActivityRowRead) => JSON.parse(row.details ?? '{}'),
  };
}
