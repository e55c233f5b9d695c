import type { Translate } from './useT';

/** What the Activity page calls each kind of row. */
export function kindLabels(t: Translate): Record<string, string> {
  return {
    'sign-in': t('activity.kind.sign-in', 'Signed in'),
    created: t('activity.kind.created', 'Account created'),
    'roles-changed': t('activity.kind.roles-changed', 'Roles changed'),
    refused: t('activity.kind.refused', 'Refused'),
    logout: t('activity.kind.logout', 'Logged out'),
    revoked: t('activity.kind.revoked', 'Session ended'),
    'settings-changed': t('activity.kind.settings-changed', 'Settings changed'),
    'signed-out-by-admin': t('activity.kind.signed-out-by-admin', 'Signed out by an admin'),
    deactivated: t('activity.kind.deactivated', 'Deactivated'),
  };
}

/** The colour of each kind's badge. */
export const KIND_VARIANT: Record<string, 'success' | 'danger' | 'warning' | 'neutral' | 'primary'> = {
  'sign-in': 'success',
  created: 'primary',
  refused: 'danger',
  revoked: 'warning',
  deactivated: 'warning',
  'signed-out-by-admin': 'warning',
};

/** A refusal code's or activity reason's label (`activity.reason.<code>` in the translations); the code itself when none. */
export const reasonLabel = (t: Translate, code: string): string => t(`activity.reason.${code}`, code);
