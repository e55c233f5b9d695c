import type { Masking } from '../../pipeline/masking';
import { isDatabaseId } from '../infrastructure/database-id';
import { INSTANCE_ID } from '../infrastructure/instance-id';
import type { ActivityEntry, ActivityRow } from './activity-entry';
import type { IdentityFold, NetworkFold, Suppressed } from './refusal-budget';

/**
 * The refusal window. From a listed proxy, the same refusal (reason, peer,
 * identity) is recorded at most once in it; from any other peer, a network's
 * refusals in it are one row (written when the window ends).
 */
export const REFUSAL_REPEAT_MS = 10_000;
/** At most this many networks of peers that are not listed proxies get a row per REFUSAL_REPEAT_MS per instance; past it, their refusals are counted into one summarising row. Refusals from listed proxies, and refusals of an identity a verified signature established, are not capped. */
export const REFUSAL_ROWS_PER_WINDOW = 50;
/** The reason of the row that says how many refusals were counted, not recorded one by one. */
export const SUPPRESSED_REASON = 'refusals-suppressed';
const cut = (value: unknown, max: number): string | null => (value === null || value === undefined || value === '' ? null : String(value).slice(0, max));

/** The row of an entry; a refusal's identity and hint are masked with `mask`. */
export function toRow(entry: ActivityEntry, mask: Masking, at = Date.now()): ActivityRow {
  const { kind, userId, identity, peer, source, ...details } = entry;
  const reason = kind === 'refused' ? (entry as { reason: string }).reason : null;
  if (kind === 'refused') {
    delete (details as { reason?: unknown }).reason;
    delete (details as { vouched?: unknown }).vouched;
    const hint = (details as { hint?: string }).hint;
    // The reason names the person; the row keeps them masked (also the raw-value prefix the reason may quote).
    if (hint) (details as { hint?: string }).hint = mask.hint(hint, identity);
  }
  const userNumber = userId === null || userId === undefined || userId === '' ? null : Number(userId);
  return {
    at,
    day: new Date(at).toISOString().slice(0, 10),
    kind,
    reason,
    // An id the INT column cannot hold would fail the whole batch on MySQL/PostgreSQL: not a user, so none.
    user_id: isDatabaseId(userNumber) ? userNumber : null,
    identity: cut(kind === 'refused' && identity ? mask.identity(identity) : identity, 255),
    peer: cut(peer, 64),
    source: cut(source, 64),
    details: Object.keys(details).length > 0 ? JSON.stringify(details).slice(0, 4000) : null,
    instance: INSTANCE_ID,
  };
}

export type RefusedEntry = ActivityEntry & { kind: 'refused' };

/** A network's refusals of one window as one row: the latest attempt's reason, identity, peer and hint, with the count and every reason. */
export function foldRow(fold: NetworkFold<RefusedEntry>, mask: Masking): ActivityRow {
  const { network, latest, latestAt, firstAt, count, reasons } = fold;
  return toRow({ ...latest, network, refusals: count, reasons, since: new Date(firstAt).toISOString() }, mask, latestAt);
}

/** A vouched identity's refusals (one reason) from further peers in one window as one row: the latest attempt's peer and hint, with the count and how many peers. */
export function identityFoldRow(fold: IdentityFold<RefusedEntry>, mask: Masking): ActivityRow {
  const { latest, latestAt, firstAt, count, peers } = fold;
  return toRow({ ...latest, refusals: count, peers: peers.size, since: new Date(firstAt).toISOString() }, mask, latestAt);
}

/** One row saying how many refusals of a window were counted past the cap, and the latest of them. */
export function suppressedRow(suppressed: Suppressed<RefusedEntry>, mask: Masking): ActivityRow {
  const { count, networks, latest, latestAt, reasons } = suppressed;
  const seconds = REFUSAL_REPEAT_MS / 1000;
  return {
    ...toRow({ kind: 'refused', reason: latest.reason, status: latest.status }, mask, latestAt),
    reason: SUPPRESSED_REASON,
    details: JSON.stringify({
      suppressed: count,
      networks,
      reasons,
      latest: { reason: latest.reason, peer: latest.peer ?? null, identity: latest.identity ? mask.identity(latest.identity) : null },
      hint: `${count} more refusals within ${seconds} s were counted, not recorded one by one (at most ${REFUSAL_ROWS_PER_WINDOW} networks of peers that are not listed proxies get a row per ${seconds} s per instance; refusals from listed proxies or of a verified identity are not capped); a flood of refused requests — see the rows just before this one`,
    }).slice(0, 4000),
  };
}
