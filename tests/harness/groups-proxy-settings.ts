import { randomBytes } from 'node:crypto';

/**
 * The plugin settings of the suites whose proxy forwards an identity and its
 * groups (nginx `auth_request`, Caddy `forward_auth`, Apache with
 * mod_auth_openidc): trust 127.0.0.1 only with a fresh shared secret, create
 * accounts on first sign-in, read groups from `Remote-Groups` and give members
 * of `cms-editors` the Editor role.
 */
export function groupsProxySettings() {
  const secretHeader = 'X-Remote-Auth-Secret';
  const secret = randomBytes(24).toString('base64url');
  const config = {
    trustedProxies: ['127.0.0.1/32'],
    sharedSecret: { header: secretHeader, value: secret },
    autoCreate: true,
    groupsHeader: 'Remote-Groups',
    groupRoles: { 'cms-editors': ['strapi-editor'] },
  };
  return { secretHeader, secret, config };
}
