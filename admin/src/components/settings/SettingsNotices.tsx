import { Alert } from '@strapi/design-system';
import type { Translate } from '../../utils/useT';

interface SettingsNoticesProps {
  /** A refusal of the last save that names no field. */
  formError?: string;
  /** Some options only a Super Admin may change. */
  someSuperAdminOnly: boolean;
  /** Nothing on the page is the viewer's to change. */
  changesNothing: boolean;
  canUpdate: boolean;
  /** Some options are set in config/plugins. */
  somePinned: boolean;
  t: Translate;
}

/** What the page says above the sections: a save that failed as a whole, options the viewer cannot change and why. */
export function SettingsNotices({ formError, someSuperAdminOnly, changesNothing, canUpdate, somePinned, t }: SettingsNoticesProps) {
  return (
    <>
      {formError ? (
        <Alert closeLabel={t('settings.close', 'Close')} title={t('notification.notSaved.title', 'Settings not saved')} variant="danger">
          {formError}
        </Alert>
      ) : null}
      {changesNothing && someSuperAdminOnly ? (
        <Alert
          closeLabel={t('settings.close', 'Close')}
          title={t('settings.superAdminOnly.allTitle', 'Only a Super Admin can change these settings')}
          variant="default"
          data-notice="super-admin-only"
        >
          {t(
            'settings.superAdminOnly.allNotice',
            'Every option here decides who is signed in, as whom, with which roles, or where people are sent, so it is shown read-only with the reason under it. You can review the settings and check the connection; ask a Super Admin to change them.',
          )}
        </Alert>
      ) : canUpdate && someSuperAdminOnly ? (
        <Alert
          closeLabel={t('settings.close', 'Close')}
          title={t('settings.superAdminOnly.title', 'Some options can only be changed by a Super Admin')}
          variant="default"
          data-notice="super-admin-only"
        >
          {t(
            'settings.superAdminOnly.notice',
            'The options that decide who is signed in, as whom, with which roles, or where people are sent are shown read-only, with the reason under each. Ask a Super Admin to change them.',
          )}
        </Alert>
      ) : null}
      {somePinned ? (
        <Alert closeLabel={t('settings.close', 'Close')} title={t('settings.pinned.title', 'Set in config/plugins')} variant="default">
          {t('settings.pinned.notice', 'Options set in config/plugins are shown read-only here; change them in that file.')}
        </Alert>
      ) : null}
    </>
  );
}
