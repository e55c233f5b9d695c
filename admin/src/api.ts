/**
 * The settings API as the server serves it (admin-type routes under
 * /remote-auth/…, admin token required). The types that cross the wire live
 * once in shared/contracts/, which the server imports too.
 */
export * from '../../shared/contracts';

export const SETTINGS_URL = '/remote-auth/settings';
export const DIAGNOSTICS_URL = '/remote-auth/diagnostics';
export const SESSIONS_URL = '/remote-auth/sessions';
export const ACCOUNTS_URL = '/remote-auth/accounts';
export const DEPROVISIONING_PREVIEW_URL = '/remote-auth/deprovisioning/preview';
export const ACTIVITY_URL = '/remote-auth/activity';
export const ACTIVITY_SUMMARY_URL = '/remote-auth/activity/summary';
export const ACTIVITY_EXPORT_URL = '/remote-auth/activity/export';
