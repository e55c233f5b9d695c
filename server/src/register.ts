import type { Core } from '@strapi/strapi';
import { wired } from './services/plugin';
import { assertStrictHttpParser } from './strapi/guards/http-parser-guard';
import { containAdminMetrics } from './strapi/infrastructure/background';

// Strapi awaits register before it listens: the parser check finishes before any request is accepted.
export default async function register({ strapi }: { strapi: Core.Strapi }): Promise<void> {
  await assertStrictHttpParser(strapi);
  strapi.get('auth').register('admin', wired(strapi).strategy);
  // Before the admin's bootstrap keeps references to them (see background.ts).
  containAdminMetrics(strapi, wired(strapi).background);
}
