/**
 * Turns the configured identity header into the lower-case name Node uses in
 * `req.headers`.
 *
 * Accepted forms:
 * - an HTTP field name, e.g. `Remote-User`, `X-Forwarded-User`;
 * - the Django / Nautobot META form, e.g. `HTTP_X_REMOTE_USER`, which means the
 *   header `X-Remote-User` (so operators can copy their old setting).
 *
 * Anything else throws: a name with `_` outside the META form is refused because
 * proxies disagree on such names (nginx drops them, others pass them through),
 * which is how `Remote_User` / `Remote-User` confusion attacks start (T4).
 */
const FIELD_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const META_NAME = /^HTTP_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

export function canonicalHeaderName(configured: string): string {
  const name = configured.trim();
  if (META_NAME.test(name)) {
    return name.slice('HTTP_'.length).replace(/_/g, '-').toLowerCase();
  }
  if (!FIELD_NAME.test(name)) {
    throw new TypeError(
      `"${configured}" is not a usable header name: use letters, digits and dashes (e.g. "Remote-User"), ` +
        `or the Django form "HTTP_REMOTE_USER"`,
    );
  }
  return name.toLowerCase();
}

/** `remote_user`, `REMOTE-USER` and `remote-user` all fold to the same key. */
export function foldHeaderName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}
