/**
 * The plugin's clock service (server/src/strapi/infrastructure/clock.ts), held still for one test:
 * what a test sends then falls into one 10-s window of the activity log, however slow the machine
 * is. The system clock comes back when the test ends.
 */
import type { TestContext } from 'node:test';
import type { Core } from '@strapi/strapi';

export function holdPluginClockStill(strapi: Core.Strapi, t: TestContext, at = Date.now()): void {
  const clock = strapi.plugin('remote-auth').service('clock') as { now(): number };
  const system = clock.now;
  clock.now = () => at;
  t.after(() => {
    clock.now = system;
  });
}
