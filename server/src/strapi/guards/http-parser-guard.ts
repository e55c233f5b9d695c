import type { Core } from '@strapi/strapi';

/**
 * Lenient HTTP parsing lets a client smuggle a second request, headers
 * included, past the proxy (T7). Refuse to run under it.
 */
export function assertStrictHttpParser(strapi: Core.Strapi): void {
  const flag = '--insecure-http-parser';
  const sources = [
    process.execArgv.includes(flag) ? 'the node command line' : null,
    (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag) ? 'NODE_OPTIONS' : null,
    strapi.config.get('server.http.serverOptions.insecureHTTPParser') === true
      ? 'server.http.serverOptions.insecureHTTPParser'
      : null,
  ].filter(Boolean);
  if (sources.length > 0) {
    throw new Error(
      `remote-auth refuses to start with Node's lenient HTTP parser (enabled by ${sources.join(' and ')}): ` +
        'it allows request smuggling past the proxy. Remove --insecure-http-parser.',
    );
  }
}
