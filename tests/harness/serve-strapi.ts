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
  superAdmin?: boolean;
}

const spec = JSON.parse(process.env.SERVE_STRAPI ?? 'null') as Spec | null;
if (!spec?.database) {
  process.stderr.write('serve-strapi: SERVE_STRAPI must give { database: { kind, env } }\n');
  process.exit(2);
}

/**
 * The evidence when this process dies of an error: Node ends the process on an
 * uncaught exception, an unhandled promise rejection or an 'error' event with
 * no listener. The monitor only watches (Node still exits as it would without
 * us); it prints everything the error carries, between FATAL and END FATAL
 * lines the harness quotes in the failing test.
 */
function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return `a non-Error value: ${String(error)}`;
  const extra = Object.entries(error)
    .filter(([key]) => !['stack', 'message', 'cause'].includes(key))
    .map(([key, value]) => `  ${key}: ${typeof value === 'object' ? JSON.stringify(value)?.slice(0, 300) : String(value)}`);
  const cause = error.cause !== undefined && depth < 3 ? [`  caused by: ${describeError(error.cause, depth + 1)}`] : [];
  return [error.stack ?? `${error.name}: ${error.message}`, ...extra, ...cause].join('\n');
}
process.on('uncaughtExceptionMonitor', (error, origin) => {
  process.stderr.write(
    `\nserve-strapi: FATAL ${origin} (Node ends the process) at ${new Date().toISOString()}:\n${describeError(error)}\nserve-strapi: END FATAL\n`,
  );
});
process.on('exit', (code) => process.stderr.write(`serve-strapi: process exits with code ${code}\n`));

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

startStrapi({ config: spec.config ?? {}, env: spec.env ?? {}, database, superAdmin: spec.superAdmin }).then(
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
