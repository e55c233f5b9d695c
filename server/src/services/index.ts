import type { Core } from '@strapi/strapi';
import { wired } from './plugin';

type Factory = ({ strapi }: { strapi: Core.Strapi }) => unknown;

/** The plugin's services (`strapi.plugin('remote-auth').service(…)`), all from the one object graph. */
const services: Record<string, Factory> = {
  settings: ({ strapi }) => wired(strapi).settings,
  activity: ({ strapi }) => wired(strapi).activity,
  retention: ({ strapi }) => wired(strapi).retention,
  'deactivation-job': ({ strapi }) => wired(strapi).deactivationJob,
  // In-process only (tests move time with it); no route reaches a service.
  clock: ({ strapi }) => wired(strapi).clock,
};

export default services;
