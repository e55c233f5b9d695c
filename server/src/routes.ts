/**
 * Admin-type routes, served under `/remote-auth/…`. They need no admin token:
 * the proxy's header is the credential and every check runs in the controller.
 */
export default {
  admin: {
    type: 'admin',
    routes: [
      { method: 'GET', path: '/login', handler: 'login.login', config: { auth: false } },
      { method: 'GET', path: '/logout', handler: 'login.logout', config: { auth: false } },
      { method: 'GET', path: '/status', handler: 'login.status', config: { auth: false } },
    ],
  },
};
