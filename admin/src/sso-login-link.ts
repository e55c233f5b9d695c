/**
 * Adds a "Sign in with SSO" link under the admin login form (T16).
 *
 * After a logout the proxy still sends the identity header, but the plugin does
 * not sign the browser back in silently; the person chooses to, here. When the
 * operator set `logoutRedirectUrl`, a freshly signed-out browser is sent to
 * `/remote-auth/logout`, which forwards it to the proxy's sign-out page.
 */
interface Status {
  enabled: boolean;
  loginUrl: string;
  logoutUrl: string;
  signedOut: boolean;
  hasLogoutRedirect: boolean;
}

const LINK_ID = 'remote-auth-sso-link';

async function fetchStatus(): Promise<Status | null> {
  try {
    const response = await fetch('/remote-auth/status', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    return ((await response.json()) as { data: Status }).data;
  } catch {
    return null;
  }
}

function placeLink(status: Status): void {
  if (document.getElementById(LINK_ID)) return;
  const form = document.querySelector('form');
  if (!form) return;
  const returnTo = new URLSearchParams(window.location.search).get('redirectTo') ?? '/admin';
  const link = document.createElement('a');
  link.id = LINK_ID;
  link.href = `${status.loginUrl}?returnTo=${encodeURIComponent(returnTo.startsWith('/admin') ? returnTo : '/admin')}`;
  link.textContent = 'Sign in with SSO';
  link.setAttribute(
    'style',
    'display:block;margin-top:16px;padding:10px 16px;text-align:center;border:1px solid #4945ff;border-radius:4px;' +
      'color:#4945ff;font-weight:600;font-size:14px;text-decoration:none;font-family:inherit',
  );
  form.appendChild(link);
}

/**
 * The sign-out redirect must happen exactly once per logout (T25): the
 * observer fires on every DOM change, and a second request to the proxy's
 * sign-out URL races the identity provider's sign-out (mod_auth_openidc then
 * signs the person straight back in). Once the navigation has started, the
 * observer is disconnected and nothing else is done on this page.
 */
export function watchLoginPage(): void {
  let status: Promise<Status | null> | null = null;
  let leaving = false;
  const onLoginPage = () => /\/auth\/login\/?$/.test(window.location.pathname);

  const update = async () => {
    if (leaving) return;
    if (!onLoginPage()) {
      status = null;
      return;
    }
    status ??= fetchStatus();
    const current = await status;
    // Checked again after the await: other DOM changes may have awaited the same status.
    if (leaving || !current || !current.enabled) return;
    if (current.signedOut && current.hasLogoutRedirect) {
      leaving = true;
      observer.disconnect();
      window.location.assign(current.logoutUrl);
      return;
    }
    placeLink(current);
  };

  const observer = new MutationObserver(() => void update());
  observer.observe(document.body, { childList: true, subtree: true });
  void update();
}
