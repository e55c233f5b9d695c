/**
 * Is this request a browser navigation to the admin single-page app (as
 * opposed to an admin API call or a static asset)? Only such requests get a
 * session handed off: API clients send `Accept: application/json`, assets have
 * a file extension.
 */
export interface DocumentRequest {
  readonly method: string;
  readonly path: string;
  readonly accept: string | undefined;
  readonly fetchDest: string | undefined;
}

export function isAdminDocumentRequest(request: DocumentRequest, adminPath: string): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.path !== adminPath && !request.path.startsWith(`${adminPath}/`)) return false;
  // Assets have a file extension; content-manager paths like
  // ".../api::article.article" contain dots but are SPA routes.
  const lastSegment = request.path.slice(request.path.lastIndexOf('/') + 1);
  if (/\.[A-Za-z0-9]+$/.test(lastSegment) && !lastSegment.includes('::')) return false;
  if (request.fetchDest !== undefined) return request.fetchDest === 'document';
  return (request.accept ?? '').toLowerCase().includes('text/html');
}
