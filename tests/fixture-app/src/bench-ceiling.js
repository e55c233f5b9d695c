'use strict';
/**
 * BENCH ONLY — never part of the plugin (the fixture app is not packed) and
 * off unless REMOTE_AUTH_BENCH_CEILING=1 (set by `npm run bench` for the B4
 * process alone).
 *
 * B4's anchor: Strapi's own ceiling for a first sign-in. GET
 * /bench-ceiling/sign-in with `Remote-User: <e-mail>` does the least Strapi
 * itself needs to give a new person a session — the admin user with its role
 * link through Strapi's `admin::user` service, then a session from its session
 * manager, set in the same two cookies — with no trust check, no look-up, no
 * identity link. Same process, same middleware position as the plugin's
 * hand-off (`strapi.server.use`), so B4 reads as plugin ÷ ceiling.
 */
const { randomUUID } = require('node:crypto');

const PATH = '/bench-ceiling/sign-in';

module.exports = function installBenchCeiling(strapi) {
  let editor = null;
  strapi.server.use(async (ctx, next) => {
    if (ctx.path !== PATH) return next();
    const email = ctx.get('remote-user').toLowerCase();
    if (!email) {
      ctx.status = 400;
      return;
    }
    editor ??= await strapi.db.query('admin::role').findOne({ where: { code: 'strapi-editor' }, select: ['id'] });
    const user = await strapi.service('admin::user').create({
      email,
      firstname: email.slice(0, email.indexOf('@')),
      lastname: null,
      username: null,
      roles: [editor.id],
      isActive: true,
      registrationToken: null,
    });
    const sessions = strapi.sessionManager('admin');
    const { token: refresh } = await sessions.generateRefreshToken(String(user.id), randomUUID(), { type: 'session' });
    const access = await sessions.generateAccessToken(refresh);
    ctx.cookies.set('strapi_admin_refresh', refresh, { httpOnly: true, path: '/admin', sameSite: 'lax', overwrite: true });
    ctx.cookies.set('jwtToken', access.token, { httpOnly: false, signed: false, path: '/admin', sameSite: 'lax', overwrite: true });
    ctx.redirect('/admin');
  });
};
