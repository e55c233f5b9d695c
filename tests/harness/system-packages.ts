/**
 * End-to-end suites use real programs from Debian (nginx, Apache, Caddy,
 * Chromium). On a machine without them `npm test` still passes: each such
 * suite skips with one loud line naming the package and the command that
 * installs it. Under `.ci/run` (CI=true, or REMOTE_AUTH_REQUIRE_SYSTEM=1) a
 * missing program is a failure, never a skip.
 *
 *   const skip = needs({ path: '/usr/sbin/nginx', debian: 'nginx' });
 *   describe('…', { skip }, () => { … });
 *   before(async () => { if (skip) return; … });
 */
import { existsSync } from 'node:fs';

export interface SystemProgram {
  /** Absolute path of the program or file the suite needs. */
  readonly path: string;
  /** The Debian package that provides it. */
  readonly debian: string;
}

const required = (): boolean => process.env.CI === 'true' || process.env.REMOTE_AUTH_REQUIRE_SYSTEM === '1';
const announced = new Set<string>();

/** false when every program is there; otherwise the skip reason (already printed once, loudly). */
export function needs(...programs: SystemProgram[]): string | false {
  const missing = programs.filter((program) => !existsSync(program.path));
  if (missing.length === 0) return false;
  const packages = [...new Set(missing.map((program) => program.debian))].join(' ');
  const reason = `SKIPPED: needs ${missing.map((program) => program.path).join(', ')} — install with: apt-get install ${packages} (or run .ci/run)`;
  if (required()) {
    throw new Error(`${reason.replace('SKIPPED: ', '')}; under CI a missing program is a failure, not a skip`);
  }
  if (!announced.has(reason)) {
    announced.add(reason);
    process.stderr.write(`\n#### ${reason}\n\n`);
  }
  return reason;
}

export const NGINX: SystemProgram = { path: '/usr/sbin/nginx', debian: 'nginx' };
export const APACHE: SystemProgram = { path: '/usr/sbin/apache2', debian: 'apache2' };
export const AUTH_OPENIDC: SystemProgram = { path: '/usr/lib/apache2/modules/mod_auth_openidc.so', debian: 'libapache2-mod-auth-openidc' };
export const CADDY: SystemProgram = { path: '/usr/bin/caddy', debian: 'caddy' };
export const CHROMIUM_BROWSER: SystemProgram = { path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', debian: 'chromium' };
