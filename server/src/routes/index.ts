import { ACTIONS } from '../strapi/infrastructure/permissions';

const can = (action: string) => ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }];

/**
 * Admin-type routes, served under `/remote-auth/…`.
 * The sign-in routes need no admin token: the proxy's header is the credential
 * and every check runs in the controller. The settings routes need an admin
 * session and the plugin's permissions.
 */
export default {
  admin: {
    type: 'admin',
    routes: [
      { method: 'GET', path: '/login', handler: 'login.login', config: { auth: false } },
      { method: 'GET', path: '/logout', handler: 'login.logout', config: { auth: false } },
      { method: 'GET', path: '/status', handler: 'login.status', config: { auth: false } },
      { method: 'GET', path: '/settings', handler: 'settings.read', config: { policies: can(ACTIONS.read) } },
      { method: 'PUT', path: '/settings', handler: 'settings.update', config: { policies: can(ACTIONS.update) } },
      { method: 'GET', path: '/diagnostics', handler: 'settings.diagnostics', config: { policies: can(ACTIONS.read) } },
      { method: 'GET', path: '/sessions', handler: 'sessions.list', config: { policies: can(ACTIONS.sessionsRead) } },
      { method: 'DELETE', path: '/sessions/:id', handler: 'sessions.revokeSession', config: { policies: can(ACTIONS.sessionsRevoke) } },
      { method: 'DELETE', path: '/users/:userId/sessions', handler: 'sessions.revokePerson', config: { policies: can(ACTIONS.sessionsRevoke) } },
      { method: 'GET', path: '/accounts', handler: 'sessions.accounts', config: { policies: can(ACTIONS.sessionsRead) } },
      { method: 'GET', path: '/deprovisioning/preview', handler: 'sessions.preview', config: { policies: can(ACTIONS.sessionsRead) } },
      { method: 'POST', path: '/deprovisioning/run', handler: 'sessions.run', config: { policies: can(ACTIONS.sessionsRevoke) } },
      { method: 'GET', path: '/activity', handler: 'activity.list', config: { policies: can(ACTIONS.activityRead) } },
      { method: 'GET', path: '/activity/summary', handler: 'activity.summary', config: { policies: can(ACTIONS.activityRead) } },
      { method: 'GET', path: '/activity/export', handler: 'activity.export', config: { policies: can(ACTIONS.activityRead) } },
    ],
  },
};
