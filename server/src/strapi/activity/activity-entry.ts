import type { RefusalCode } from '../../pipeline/refusal';
import { ACTIVITY_KINDS as SHARED_ACTIVITY_KINDS, type ActivityKind as SharedActivityKind } from '../../../../shared/contracts/activity';

/** Who and where, common to every entry; all optional (a refusal may have no user, a settings change no peer). */
interface Common {
  /** The admin user the entry is about (for settings-changed: who changed them). */
  readonly userId?: number | string | null;
  /** The identity as the proxy sent it (refusals are masked when recorded). */
  readonly identity?: string | null;
  /** The TCP peer: the proxy's address. */
  readonly peer?: string | null;
  /** Where the identity came from (`header`, an assertion source, `admin` for panel actions). */
  readonly source?: string | null;
}

export type SignInVia = 'hand-off' | 'explicit' | 'strict' | 'header-strategy';

/** One thing worth recording. `kind` decides the details kept. */
export type ActivityEntry = Common &
  (
    | { readonly kind: 'sign-in'; readonly via: SignInVia }
    | { readonly kind: 'created'; readonly roles: readonly string[] }
    | { readonly kind: 'roles-changed'; readonly added: readonly string[]; readonly removed: readonly string[]; readonly groups: readonly string[] }
    | {
        readonly kind: 'refused';
        readonly reason: RefusalCode;
        readonly status: number;
        readonly path?: string;
        /** What the operator should change: the fixed sentence for the refusal's code (`Refusal.hint`), never request data; masked when recorded all the same. */
        readonly hint?: string;
        /** A fold of a peer that is not a listed proxy: its network, how many refusals, which reasons, since when (the row shows the latest). */
        readonly network?: string;
        readonly refusals?: number;
        readonly reasons?: Readonly<Record<string, number>>;
        readonly since?: string;
        /** A fold of a vouched identity's refusals from further peers: how many distinct peers (the row's peer is the latest). */
        readonly peers?: number;
        /**
         * The identity was established before the refusal — by a verified signature or a listed
         * proxy's header (`ctx.state[IDENTITY_STATE]`) — so only a holder of a provider-signed
         * token (or the proxy) can cause it: a row of its own, like a listed proxy's refusal (T26).
         * Not stored.
         */
        readonly vouched?: boolean;
      }
    | { readonly kind: 'logout' }
    | { readonly kind: 'revoked'; readonly cause: 'strict-revocation' | 'person-switch'; readonly code?: string }
    | { readonly kind: 'settings-changed'; readonly keys: readonly string[] }
    | { readonly kind: 'signed-out-by-admin'; readonly by: number | string; readonly sessions: number }
    | { readonly kind: 'deactivated'; readonly inactiveDays: number; readonly dryRun?: false }
  );

export type ActivityKind = ActivityEntry['kind'];
/** Every kind, in the order the activity view lists them (the list the admin panel filters by). */
export const ACTIVITY_KINDS: readonly ActivityKind[] = SHARED_ACTIVITY_KINDS;
// Both ways: a kind the server records that the contract lacks, or the reverse, does not compile.
const _sameKinds: [ActivityKind, SharedActivityKind] = ['' as SharedActivityKind, '' as ActivityKind];
void _sameKinds;

export interface ActivityRow {
  at: number;
  day: string;
  kind: string;
  reason: string | null;
  user_id: number | null;
  identity: string | null;
  peer: string | null;
  source: string | null;
  details: string | null;
  instance: string;
}
