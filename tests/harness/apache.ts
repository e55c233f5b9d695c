import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersHttp } from './local-port';
import { startProxyProcess } from './proxy-process';

/** Debian's Apache httpd (`apt-get install apache2`). APACHE_BIN may point elsewhere. */
export const APACHE_BIN = process.env.APACHE_BIN ?? '/usr/sbin/apache2';
/** Where Debian keeps the loadable modules. */
export const APACHE_MODULES = process.env.APACHE_MODULES ?? '/usr/lib/apache2/modules';
/**
 * Apache refuses to run its workers as root (unless built with BIG_SECURITY_HOLE),
 * so the children switch to this account; it must exist (Debian's apache2 package
 * creates www-data) and must be able to read the htpasswd file.
 */
export const APACHE_RUN_USER = process.env.APACHE_RUN_USER ?? 'www-data';

/** Every identity and attribute header the recipes set; all client copies are removed early. */
export const IDENTITY_HEADERS = ['Remote-User', 'Remote-Groups', 'Remote-Email', 'Remote-Name'] as const;

/** mod_auth_openidc (`libapache2-mod-auth-openidc`) instead of Basic auth. */
export interface OpenIdcOptions {
  /** The provider's `/.well-known/openid-configuration`. */
  readonly metadataUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Passphrase mod_auth_openidc encrypts its state and session cookies with. */
  readonly cryptoPassphrase: string;
}

export interface ApacheOptions {
  /** Port of the Strapi to proxy to, on 127.0.0.1. */
  readonly upstreamPort: number;
  /** Port to listen on (default: a free one). Set it when the provider must know the redirect URI first. */
  readonly port?: number;
  /** Basic-auth accounts, name → password (ignored with `openidc`). */
  readonly users?: Readonly<Record<string, string>>;
  /** Sign in with OpenID Connect (mod_auth_openidc) instead of Basic auth. */
  readonly openidc?: OpenIdcOptions;
  /** Value Apache sends in `X-Remote-Auth-Secret` to prove the request went through it. */
  readonly secret: string;
  /** Name of the shared-secret header (default `X-Remote-Auth-Secret`). */
  readonly secretHeader?: string;
  /**
   * `RequestHeader unset Remote_User early` (default true). Apache's mod_proxy
   * forwards client headers with `_` in their names untouched, and
   * `RequestHeader set Remote-User` does not replace `Remote_User` (a different
   * name to Apache), so the recommended config removes the twin explicitly.
   * false = the config many people would write first, to show the plugin's own
   * defence (400 header-twin).
   */
  readonly unsetUnderscoreTwin?: boolean;
  /**
   * How the identity header's value is written:
   * - `'expr'` (default, correct): `RequestHeader set Remote-User expr=%{REMOTE_USER}`
   * - `'format-string'` (a common mistake, kept to prove it fails closed):
   *   `RequestHeader set Remote-User "%{REMOTE_USER}s"`. In mod_headers `%{…}s`
   *   reads an SSL variable and `%{…}e` an environment variable; neither holds
   *   the authenticated user on a proxied request, so Apache sends the literal
   *   text `(null)` for every user.
   */
  readonly identityValue?: 'expr' | 'format-string';
}

export interface Apache {
  readonly origin: string;
  readonly port: number;
  /** The generated apache2.conf, for failure messages. */
  readonly config: string;
  /** Contents of the error log. */
  errorLog(): string;
  /** Contents of the access log (`%h %u "%r" %>s`). */
  accessLog(): string;
  /** Kills Apache's whole process group and removes the temp dir. */
  stop(): Promise<void>;
}

const USER_NAME = /^[A-Za-z0-9._@-]+$/;
// Values are written double-quoted into the config; keep to characters that need no escaping.
const SAFE_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MODULES = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['headers_module', 'mod_headers.so'],
  ['proxy_module', 'mod_proxy.so'],
  ['proxy_http_module', 'mod_proxy_http.so'],
] as const;
const OPENIDC_MODULE = ['auth_openidc_module', 'mod_auth_openidc.so'] as const;

function htpasswd(users: Readonly<Record<string, string>>): string {
  return Object.entries(users)
    .map(([name, password]) => {
      if (!USER_NAME.test(name)) throw new Error(`apache harness: unsupported user name ${JSON.stringify(name)}`);
      if (/[\r\n]/.test(password)) throw new Error('apache harness: passwords must not contain line breaks');
      // Apache's {SHA} scheme (unsalted SHA-1, what `htpasswd -s` writes): fine for a
      // throwaway test file and needs no apache2-utils. Real deployments: `htpasswd -B` (bcrypt).
      return `${name}:{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}\n`;
    })
    .join('');
}

function quoted(value: string, what: string): string {
  if (!SAFE_VALUE.test(value)) throw new Error(`apache harness: ${what} must be printable ASCII without quotes or backslashes`);
  return `"${value}"`;
}

/**
 * Server-level lines that remove every client copy of the identity and
 * attribute headers, hyphen and underscore spellings. "early" runs before
 * authentication, and only in server/vhost context (inside <Location> it is
 * accepted but never runs).
 */
function unsetLines(unsetTwin: boolean): string {
  return IDENTITY_HEADERS.flatMap((name) => [name, name.replace('-', '_')])
    .map((name) =>
      !unsetTwin && name === 'Remote_User'
        ? `# RequestHeader unset ${name} early  -- left out on purpose (unsetUnderscoreTwin: false)`
        : `RequestHeader unset ${name} early`,
    )
    .join('\n');
}

/** The "Apache with mod_auth_openidc" block of docs/proxies/apache-openidc.md (server level + <Location>), with the test's URLs. */
function renderOpenIdc(origin: string, oidc: OpenIdcOptions, secretHeader: string, secret: string): string {
  return `OIDCProviderMetadataURL ${oidc.metadataUrl}
OIDCClientID ${oidc.clientId}
OIDCClientSecret ${quoted(oidc.clientSecret, 'the client secret')}
# Any path under the protected location that Strapi does not use; mod_auth_openidc answers it.
OIDCRedirectURI ${origin}/redirect_uri
OIDCCryptoPassphrase ${quoted(oidc.cryptoPassphrase, 'the crypto passphrase')}
OIDCScope "openid email profile groups"
OIDCPKCEMethod S256
# REMOTE_USER is the e-mail claim.
OIDCRemoteUserClaim email
# Claims go to the environment (OIDC_CLAIM_email, OIDC_CLAIM_groups, ...), not as
# OIDC_CLAIM_* request headers to Strapi; the lines below pick what Strapi gets.
OIDCPassClaimsAs environment

<Location />
  AuthType openid-connect
  Require valid-user

  # "set" replaces every client copy of the header (names compared case-insensitively).
  RequestHeader set Remote-User expr=%{REMOTE_USER}
  # A list claim arrives joined with "," (OIDCClaimDelimiter).
  RequestHeader set Remote-Groups expr=%{env:OIDC_CLAIM_groups}
  RequestHeader set ${secretHeader} "${secret}"
</Location>

# The redirect URI is mod_auth_openidc's, never Strapi's.
ProxyPass /redirect_uri !`;
}

function renderBasic(dir: string, options: ApacheOptions, secretHeader: string): string {
  const identity = (options.identityValue ?? 'expr') === 'expr' ? 'expr=%{REMOTE_USER}' : '"%{REMOTE_USER}s"';
  return `<Location />
  AuthType Basic
  AuthName "Strapi"
  AuthBasicProvider file
  AuthUserFile "${join(dir, 'htpasswd')}"
  Require valid-user

  # "set" replaces every client copy of the header (names compared case-insensitively).
  RequestHeader set Remote-User ${identity}
  RequestHeader set ${secretHeader} "${options.secret}"
</Location>`;
}

function renderConfig(dir: string, port: number, options: ApacheOptions): string {
  const secretHeader = options.secretHeader ?? 'X-Remote-Auth-Secret';
  if (!SAFE_VALUE.test(options.secret)) throw new Error('apache harness: the secret must be printable ASCII without quotes or backslashes');
  if (!/^[A-Za-z0-9-]+$/.test(secretHeader)) throw new Error(`apache harness: bad header name ${secretHeader}`);
  const p = (name: string) => join(dir, name);
  const modules = options.openidc ? [...MODULES, OPENIDC_MODULE] : MODULES;
  return `# Generated by tests/harness/apache.ts: one foreground apache2, everything under ${dir}.
ServerRoot "${dir}"
ServerName localhost
PidFile "${p('apache2.pid')}"
DefaultRuntimeDir "${dir}"
Mutex file:${dir} default
ErrorLog "${p('error.log')}"
LogLevel info
User ${APACHE_RUN_USER}
Group ${APACHE_RUN_USER}
Listen 127.0.0.1:${port}

${modules.map(([id, file]) => `LoadModule ${id} "${join(APACHE_MODULES, file)}"`).join('\n')}

# One child process is plenty for a test.
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16

LogFormat "%h %u \\"%r\\" %>s" brief
CustomLog "${p('access.log')}" brief

# Apache forwards client headers with "_" in their names unchanged, and to Apache
# "Remote_User" is a different header from "Remote-User": remove both spellings of
# every identity and attribute header before anything runs.
${unsetLines(options.unsetUnderscoreTwin ?? true)}

${options.openidc ? renderOpenIdc(`http://127.0.0.1:${port}`, options.openidc, secretHeader, options.secret) : renderBasic(dir, options, secretHeader)}

ProxyPreserveHost On
ProxyPass / http://127.0.0.1:${options.upstreamPort}/
ProxyPassReverse / http://127.0.0.1:${options.upstreamPort}/
`;
}

/**
 * A request Apache itself must answer, as no credentials are sent: 401 from
 * Basic auth; with mod_auth_openidc a redirect to the provider, or 500 while
 * the provider is not up yet (it is asked lazily, on the first request).
 */
function answersItself(port: number, statuses: readonly number[]): Promise<boolean> {
  return answersHttp(port, (res) => statuses.includes(res.statusCode ?? 0) && /^Apache/.test(String(res.headers.server)), { Accept: 'text/html' });
}

/**
 * Starts Debian's Apache httpd in the foreground from a config generated into a
 * fresh temp dir: Basic auth from an htpasswd file on every path (or
 * OpenID Connect with mod_auth_openidc, `openidc`), then
 * mod_proxy to Strapi with `Remote-User` set from the authenticated user and
 * the shared secret. Resolves once Apache answers HTTP.
 */
export async function startApache(options: ApacheOptions): Promise<Apache> {
  if (!existsSync(APACHE_BIN)) {
    throw new Error(
      `Apache httpd is not installed (${APACHE_BIN} is missing). The Apache end-to-end tests need Debian's apache2: ` +
        'run `apt-get install apache2`, or run the suite through `.ci/run`.',
    );
  }
  for (const [, file] of options.openidc ? [...MODULES, OPENIDC_MODULE] : MODULES) {
    const path = join(APACHE_MODULES, file);
    if (!existsSync(path)) throw new Error(`Apache module ${path} is missing: run \`apt-get install apache2\`, or run the suite through \`.ci/run\`.`);
  }
  return startProxyProcess({
    name: 'apache2',
    bin: APACHE_BIN,
    port: options.port,
    prepare(dir, port) {
      const config = renderConfig(dir, port, options);
      writeFileSync(join(dir, 'htpasswd'), htpasswd(options.users ?? {}), { mode: 0o644 });
      const configPath = join(dir, 'apache2.conf');
      writeFileSync(configPath, config, { mode: 0o644 });
      // -DFOREGROUND: the parent stays attached (no daemonising) and forks one child.
      return { config, args: ['-d', dir, '-f', configPath, '-DFOREGROUND'] };
    },
    env: () => ({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }),
    // The workers run as www-data and read the htpasswd file: the dir must be traversable.
    sharedDir: true,
    // Its own process group, so stop() signals parent and children at once.
    processGroup: true,
    ready: (port) => answersItself(port, options.openidc ? [302, 500] : [401]),
    readyWithin: 15_000,
    logs: { error: 'error.log', access: 'access.log' },
  });
}
