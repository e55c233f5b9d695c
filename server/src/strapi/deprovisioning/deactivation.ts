import type { Core } from '@strapi/strapi';
import { SUPER_ADMIN_ROLE_CODE } from '../../settings-schema/critical-keys';
import { CREATED_COLUMN, LINKS_TABLE } from '../accounts/identity-links';
import type { Person, SessionList } from '../sessions/session-list';
import type { SignOut } from '../sessions/sign-out';
import { logLine } from '../../pipeline/log-text';

const DAY_MS = 86_400_000;
/** Most accounts one run looks at (and deactivates); the next run takes the rest. */
export const DEACTIVATION_BATCH = 200;

export interface DeactivationPlan {
  readonly days: number;
  /** Accounts last seen before this instant are due. */
  readonly cutoff: string;
  readonly due: Array<Person & { lastSeenAt: string }>;
}

export interface Deactivated {
  readonly person: Person;
  readonly sessionsEnded: number;
}

/**
 * Deprovisioning, as account-resolver does sign-ins: `plan` decides who is
 * due and only reads; `carryOut` deactivates exactly those. The preview API
 * runs `plan` alone and the job runs both, so the preview and the job can
 * never disagree.
 *
 * Due: an account the plugin CREATED (identity link with created_account),
 * active, without a password, not a Super Admin, whose identities were all
 * last seen more than `days` days ago. Never an account the plugin only linked
 * (whoever had it before may still use it), never one with a password, never a
 * Super Admin.
 */
export function createDeactivation(strapi: Core.Strapi, list: SessionList, signOut: SignOut) {
  const knex = () => strapi.db.connection;

  function dueQuery(cutoff: Date) {
    const meta = strapi.db.metadata.get('admin::user') as unknown as {
      tableName: string;
      attributes: Record<string, { columnName?: string; joinTable?: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }>;
    };
    const users = meta.tableName;
    const column = (attribute: string) => `${users}.${meta.attributes[attribute]?.columnName ?? attribute}`;
    const roles = meta.attributes.roles.joinTable as { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } };
    const roleTable = (strapi.db.metadata.get('admin::role') as unknown as { tableName: string }).tableName;
    return knex()(`${LINKS_TABLE} as created`)
      .join(users, `${users}.id`, 'created.user_id')
      .where(`created.${CREATED_COLUMN}`, true)
      .andWhere(column('isActive'), true)
      .andWhere((q) => q.whereNull(column('password')).orWhere(column('password'), ''))
      .whereNotExists((q) =>
        q.select(knex().raw('1')).from(`${LINKS_TABLE} as recent`).whereRaw('recent.user_id = created.user_id').andWhere('recent.last_seen_at', '>=', cutoff),
      )
      .whereNotExists((q) =>
        q
          .select(knex().raw('1'))
          .from(roles.name)
          .join(roleTable, `${roleTable}.id`, `${roles.name}.${roles.inverseJoinColumn.name}`)
          .whereRaw(`${roles.name}.${roles.joinColumn.name} = created.user_id`)
          .andWhere(`${roleTable}.code`, SUPER_ADMIN_ROLE_CODE),
      );
  }

  async function plan(days: number, now = new Date(), limit = DEACTIVATION_BATCH): Promise<DeactivationPlan> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const ids = ((await dueQuery(cutoff).distinct('created.user_id').orderBy('created.user_id').limit(limit)) as Array<{ user_id: unknown }>).map((row) =>
      Number(row.user_id),
    );
    const people = await list.people(ids);
    const due = ids
      .map((id) => people.get(id))
      .filter((person): person is Person & { lastSeenAt: string } => person !== undefined && person.lastSeenAt !== null)
      .sort((a, b) => a.lastSeenAt.localeCompare(b.lastSeenAt) || a.id - b.id);
    return { days, cutoff: cutoff.toISOString(), due };
  }

  /** Deactivates the planned accounts that are still due (someone may have signed in since), and ends their sessions. */
  async function carryOut(planned: DeactivationPlan): Promise<Deactivated[]> {
    const done: Deactivated[] = [];
    const cutoff = new Date(planned.cutoff);
    for (const person of planned.due) {
      const still = await dueQuery(cutoff).where('created.user_id', person.id).first('created.user_id');
      if (!still) continue;
      await strapi.service('admin::user').updateById(person.id, { isActive: false });
      const sessionsEnded = await signOut.person(person.id);
      strapi.log.info(
        logLine`[remote-auth] deactivated admin user ${person.id} (${person.email}): created by single sign-on, not signed in since ${person.lastSeenAt} (deactivateAfterDays ${planned.days}); ${sessionsEnded} session(s) ended`,
      );
      done.push({ person: { ...person, isActive: false }, sessionsEnded });
    }
    return done;
  }

  return { plan, carryOut };
}

export type Deactivation = ReturnType<typeof createDeactivation>;
