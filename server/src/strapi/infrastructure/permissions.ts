import type { Core } from '@strapi/strapi';

/** `plugin::remote-auth.settings.read` / `.update`, `.sessions.read` / `.revoke`; Super Admin gets them automatically. */
export const ACTIONS = {
  read: 'plugin::remote-auth.settings.read',
  update: 'plugin::remote-auth.settings.update',
  sessionsRead: 'plugin::remote-auth.sessions.read',
  sessionsRevoke: 'plugin::remote-auth.sessions.revoke',
  activityRead: 'plugin::remote-auth.activity.read',
} as const;

export async function registerPermissionActions(strapi: Core.Strapi): Promise<void> {
  const actionProvider = strapi.service('admin::permission').actionProvider as {
    registerMany(actions: object[]): Promise<void>;
  };
  await actionProvider.registerMany([
    { section: 'plugins', displayName: 'Read', uid: 'settings.read', subCategory: 'settings', pluginName: 'remote-auth' },
    { section: 'plugins', displayName: 'Update', uid: 'settings.update', subCategory: 'settings', pluginName: 'remote-auth' },
    { section: 'plugins', displayName: 'Read', uid: 'sessions.read', subCategory: 'sessions', pluginName: 'remote-auth' },
    { section: 'plugins', displayName: 'Sign out', uid: 'sessions.revoke', subCategory: 'sessions', pluginName: 'remote-auth' },
    { section: 'plugins', displayName: 'Read sign-in activity', uid: 'activity.read', subCategory: 'activity', pluginName: 'remote-auth' },
  ]);
}
