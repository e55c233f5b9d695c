import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsConnections } from './local-port';
import { startProxyProcess } from './proxy-process';

/** Debian's nginx (`apt-get install nginx`). NGINX_BIN may point elsewhere. */
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface NginxOptions {
  /** Port of the Strapi to proxy to, on 127.0.0.1. */
  readonly upstreamPort: number;
  /** Basic-auth accounts, name → password (not needed with `authRequest`). */
  readonly users?: Readonly<Record<string, string>>;
  /** Value nginx sends in `X-Remote-Auth-Secret` to prove the request went through it. */
  readonly secret: string;
  /** Name of the shared-secret header (default `X-Remote-Auth-Secret`). */
  readonly secretHeader?: string;
  /**
   * `underscores_in_headers on` — off (nginx's default) makes nginx silently
   * drop client headers such as `Remote_User`; on lets them through to Strapi.
   */
  readonly underscoresInHeaders?: boolean;
  /**
   * Basic auth that coexists with the admin SPA: requests whose Authorization
   * header is a Bearer token (the SPA's own API calls) skip `auth_basic`
   * (`map $http_authorization $remote_auth_realm` → `auth_basic off`), and
   * nginx's `$remote_user` is then empty, so `Remote-User` is not sent at all
   * (anonymous for the plugin; persistent mode only). Only Bearer values of
   * Authorization are forwarded (the Basic password stays at nginx). Also
   * switches X-Forwarded-For to `$remote_addr`.
   */
  readonly bearerPassthrough?: boolean;
  /**
   * The auth-gateway pattern (oauth2-proxy / Authelia style) instead of Basic
   * auth: `auth_request` to `http://127.0.0.1:<port><path>` (path defaults to
   * `/verify`), identity from the gateway's `X-Auth-Request-Email` and groups
   * from `X-Auth-Request-Groups`. `users` is ignored. Also switches
   * X-Forwarded-For to `$remote_addr`.
   */
  readonly authRequest?: {
    readonly port: number;
    readonly path?: string;
    /**
     * A signed assertion header the gateway answers with (e.g. Pomerium's
     * `X-Pomerium-Jwt-Assertion`): nginx copies it from the gateway's answer
     * into the request to Strapi, replacing any client copy.
     */
    readonly assertionHeader?: string;
  };
  /** Groups header nginx sets from the gateway's answer (authRequest only; default `Remote-Groups`). */
  readonly groupsHeader?: string;
  /**
   * `append`: `$proxy_add_x_forwarded_for` (keeps whatever the client sent);
   * `replace`: `$remote_addr`. Default: `replace` with bearerPassthrough or
   * authRequest, `append` otherwise (the original config).
   */
  readonly xForwardedFor?: 'append' | 'replace';
}

export interface Nginx {
  readonly origin: string;
  readonly port: number;
  /** The generated nginx.conf, for failure messages. */
  readonly config: string;
  /** Contents of the error log (level info: includes "client sent invalid header line"). */
  errorLog(): string;
  /** Contents of the access log. */
  accessLog(): string;
  stop(): Promise<void>;
}

const USER_NAME = /^[A-Za-z0-9._@-]+$/;
// nginx config strings are double-quoted below; keep values to characters that need no escaping.
const SAFE_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function htpasswd(users: Readonly<Record<string, string>>): string {
  return Object.entries(users)
    .map(([name, password]) => {
      if (!USER_NAME.test(name)) throw new Error(`nginx harness: unsupported user name ${JSON.stringify(name)}`);
      if (/[\r\n]/.test(password)) throw new Error('nginx harness: passwords must not contain line breaks');
      // nginx's auth_basic understands the {PLAIN} scheme (no hashing): fine for a throwaway test file.
      return `${name}:{PLAIN}${password}\n`;
    })
    .join('');
}

/** The `location /` block (and, for authRequest, the internal `/_auth` location) for one pattern. */
function renderLocations(dir: string, options: NginxOptions, secretHeader: string): { http: string; server: string } {
  const p = (name: string) => join(dir, name);
  const groupsHeader = options.groupsHeader ?? 'Remote-Groups';
  if (!/^[A-Za-z0-9-]+$/.test(groupsHeader)) throw new Error(`nginx harness: bad header name ${groupsHeader}`);
  const append = options.xForwardedFor === 'append';
  const upstream = `      proxy_pass http://127.0.0.1:${options.upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
${
  append
    ? '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'
    : "      # Overwrite, never append: the client's own X-Forwarded-For is dropped.\n      proxy_set_header X-Forwarded-For $remote_addr;"
}`;

  if (options.authRequest) {
    const { port, path = '/verify', assertionHeader } = options.authRequest;
    if (!/^\/[A-Za-z0-9._~\/-]*$/.test(path)) throw new Error(`nginx harness: bad auth_request path ${path}`);
    if (assertionHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(assertionHeader)) throw new Error(`nginx harness: bad header name ${assertionHeader}`);
    const assertionVariable = assertionHeader ? `$upstream_http_${assertionHeader.toLowerCase().replace(/-/g, '_')}` : '';
    return {
      http: '',
      server: `    # The gateway's check endpoint. nginx calls it for every request to location /:
    # 2xx lets the request through, 401/403 is returned to the client.
    location = /_auth {
      internal;
      proxy_pass http://127.0.0.1:${port}${path};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Cookie $http_cookie;
    }

    location / {
      auth_request /_auth;
      # Identity and groups come from the gateway's answer, never from the client.
      auth_request_set $user $upstream_http_x_auth_request_email;
      auth_request_set $groups $upstream_http_x_auth_request_groups;
${assertionHeader ? `      # The signed assertion, fresh from the gateway for this request.\n      auth_request_set $assertion ${assertionVariable};\n` : ''}
${upstream}
      # proxy_set_header replaces every client copy (any case); an empty value sends no header.
      proxy_set_header Remote-User $user;
      proxy_set_header ${groupsHeader} $groups;
      proxy_set_header ${secretHeader} "${options.secret}";
${assertionHeader ? `      proxy_set_header ${assertionHeader} $assertion;\n` : ''}    }
`,
    };
  }

  // bearerPassthrough
  return {
    http: `  # Requests that carry "Authorization: Bearer …" (the admin SPA's API calls)
  # skip Basic auth; $remote_user is then empty and no Remote-User is sent.
  map $http_authorization $remote_auth_realm {
    default "Strapi";
    "~*^Bearer " off;
  }
  # Forward only Bearer tokens: the Basic password never reaches Strapi.
  map $http_authorization $remote_auth_upstream_authorization {
    default "";
    "~*^Bearer " $http_authorization;
  }
`,
    server: `    location / {
      auth_basic $remote_auth_realm;
      auth_basic_user_file ${p('htpasswd')};

${upstream}
      # proxy_set_header replaces every client copy (any case); an empty value sends no header.
      proxy_set_header Authorization $remote_auth_upstream_authorization;
      proxy_set_header Remote-User $remote_user;
      proxy_set_header ${secretHeader} "${options.secret}";
    }
`,
  };
}

function renderConfig(dir: string, port: number, options: NginxOptions): string {
  const secretHeader = options.secretHeader ?? 'X-Remote-Auth-Secret';
  if (!SAFE_VALUE.test(options.secret)) throw new Error('nginx harness: the secret must be printable ASCII without quotes or backslashes');
  if (!/^[A-Za-z0-9-]+$/.test(secretHeader)) throw new Error(`nginx harness: bad header name ${secretHeader}`);
  if (options.bearerPassthrough && options.authRequest) throw new Error('nginx harness: bearerPassthrough and authRequest are alternatives');
  if (options.bearerPassthrough || options.authRequest) return renderPatternConfig(dir, port, options, secretHeader);
  const p = (name: string) => join(dir, name);
  return `# Generated by tests/harness/nginx.ts — a single foreground process, everything under ${dir}.
daemon off;
master_process off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;

events {
  worker_connections 256;
}

http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  underscores_in_headers ${options.underscoresInHeaders ? 'on' : 'off'};

  server {
    listen 127.0.0.1:${port};
    server_name localhost;

    location / {
      auth_basic "Strapi";
      auth_basic_user_file ${p('htpasswd')};

      proxy_pass http://127.0.0.1:${options.upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For ${options.xForwardedFor === 'replace' ? '$remote_addr' : '$proxy_add_x_forwarded_for'};
      # proxy_set_header replaces every client copy of these headers (matched case-insensitively).
      proxy_set_header Remote-User $remote_user;
      proxy_set_header ${secretHeader} "${options.secret}";
    }
  }
}
`;
}

/** Same skeleton as renderConfig, with the location blocks of one of the two patterns. */
function renderPatternConfig(dir: string, port: number, options: NginxOptions, secretHeader: string): string {
  const p = (name: string) => join(dir, name);
  const { http, server } = renderLocations(dir, options, secretHeader);
  return `# Generated by tests/harness/nginx.ts — a single foreground process, everything under ${dir}.
daemon off;
master_process off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;

events {
  worker_connections 256;
}

http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  underscores_in_headers ${options.underscoresInHeaders ? 'on' : 'off'};

${http ? `${http}\n` : ''}  server {
    listen 127.0.0.1:${port};
    server_name localhost;

${server}  }
}
`;
}

/**
 * Starts Debian's nginx in the foreground (no daemon, no master process) from
 * a config generated into a fresh temp dir: Basic auth from an htpasswd file
 * (optionally skipped for Bearer requests), or `auth_request` to a gateway,
 * then proxy to Strapi with `Remote-User` and the shared secret.
 * Resolves once nginx accepts connections.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (!existsSync(NGINX_BIN)) {
    throw new Error(
      `nginx is not installed (${NGINX_BIN} is missing). The nginx end-to-end tests need Debian's nginx: ` +
        'run `apt-get install nginx`, or run the suite through `.ci/run`.',
    );
  }
  return startProxyProcess({
    name: 'nginx',
    bin: NGINX_BIN,
    prepare(dir, port) {
      const config = renderConfig(dir, port, options);
      writeFileSync(join(dir, 'htpasswd'), htpasswd(options.users ?? {}), { mode: 0o644 });
      writeFileSync(join(dir, 'nginx.conf'), config);
      return { config, args: ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')] };
    },
    ready: acceptsConnections,
    readyWithin: 10_000,
    logs: { error: 'error.log', access: 'access.log' },
  });
}
