import type { Refusal } from '../../pipeline/refusal';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The plain page a browser sees for a refused sign-in: the public message, a way back, the code for the administrator. */
export function refusalPage(refusal: Refusal, passwordLoginUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign-in refused</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f6f9;color:#32324d;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;padding:2.5rem;border-radius:8px;box-shadow:0 1px 4px rgba(33,33,52,.1);max-width:32rem}
h1{font-size:1.25rem;margin-top:0}code{color:#666687}a{color:#4945ff}</style></head>
<body><main><h1>Single sign-on did not sign you in</h1>
<p>${escapeHtml(refusal.publicMessage)}</p>
<p><a href="${escapeHtml(passwordLoginUrl)}">Sign in with a password instead</a></p>
<p><small>Reference for your administrator: <code>${escapeHtml(refusal.code)}</code></small></p>
</main></body></html>`;
}

/** The JSON body an API client sees for a refusal: Strapi's error shape, the code in `details`. */
export const refusalJson = (refusal: Refusal) => ({
  data: null,
  error: { status: refusal.status, name: 'RemoteAuthError', message: refusal.publicMessage, details: { code: refusal.code } },
});
