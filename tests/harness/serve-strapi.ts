/**
 * Entry point of a Strapi child process (see strapi-process.ts): boots the
 * fixture app on the database given in SERVE_STRAPI, prints one JSON line
 * `{"serveStrapi":"ready","port":…,"pid":…}` on stdout, and stops cleanly on
 * SIGTERM/SIGINT or when its parent goes away (stdin closes).
 *
 * SERVE_STRAPI = { "database": { "kind", "env" }, "config": {…}, "env": {…} }
 * The database is shared with other processes: this process never drops it.
 */
import { startStrapi, type TestStrapi } from './strapi';
import type { TestDatabase } from './database';

interface Spec {
  database: { kind: TestDatabase['kind']; env: Record<string, string> };
  config?: Record<string, unknown>;
  env?: Record<string, string>;
}

const spec = JSON.parse(process.env.SERVE_STRAPI ?? 'null') as Spec | null;
if (!spec?.database) {
  process.stderr.write('serve-strapi: SERVE_STRAPI must give { database: { kind, env } }\n');
  process.exit(2);
}

const database: TestDatabase = { kind: spec.database.kind, env: spec.database.env, drop: async () => {} };
let app: TestStrapi | null = null;
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`serve-strapi: stopping (${reason})\n`);
  // Never hang the parent's clean-up: give Strapi 15 s to close.
  setTimeout(() => {
    process.stderr.write('serve-strapi: Strapi did not stop within 15 s\n');
    process.exit(1);
  }, 15_000).unref();
  try {
    // Asked to stop while booting: just exit (the database connection goes with the process).
    await app?.stop();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`serve-strapi: stop failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  }
}

const onSignals = () => {
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
};
onSignals();
// The parent keeps our stdin open; if it dies, we go too (no stray Strapis).
process.stdin.on('end', () => void shutdown('parent went away'));
process.stdin.on('error', () => void shutdown('parent went away'));
process.stdin.resume();

startStrapi({ config: spec.config ?? {}, env: spec.env ?? {}, database }).then(
  (started) => {
    app = started;
    // Strapi adds signal handlers of its own that destroy it without closing
    // the HTTP server first; ours closes the server, then Strapi, exactly once.
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
    onSignals();
    process.stdout.write(`${JSON.stringify({ serveStrapi: 'ready', port: started.port, pid: process.pid })}\n`);
  },
  (error: Error) => {
    process.stderr.write(`serve-strapi: BOOT FAILED: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
