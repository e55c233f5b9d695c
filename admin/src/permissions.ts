import { PLUGIN_ID } from './pluginId';

export const PERMISSIONS = {
  read: [{ action: `plugin::${PLUGIN_ID}.settings.read`, subject: null }],
  update: [{ action: `plugin::${PLUGIN_ID}.settings.update`, subject: null }],
  sessionsRead: [{ action: `plugin::${PLUGIN_ID}.sessions.read`, subject: null }],
  sessionsRevoke: [{ action: `plugin::${PLUGIN_ID}.sessions.revoke`, subject: null }],
  activity: [{ action: `plugin::${PLUGIN_ID}.activity.read`, subject: null }],
};
