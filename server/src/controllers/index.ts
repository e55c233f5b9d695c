import type { Core } from '@strapi/strapi';
import { wired } from '../services/plugin';
import { createActivityQuery } from '../strapi/activity/activity-query';
import { createLockoutGuard } from '../strapi/guards/lockout-guard';
import { createActivityController } from './activity';
import { createSessionsController } from './sessions';
import { createSettingsController } from './settings';

type Factory = ({ strapi }: { strapi: Core.Strapi }) => unknown;

/** The plugin's controllers, each built once by Strapi from the one object graph (services/plugin.ts). */
const controllers: Record<string, Factory> = {
  // GET /login, /logout, /status: the sign-in steps, which the hand-off middleware also serves.
  login: ({ strapi }) => wired(strapi).steps,
  settings: ({ strapi }) => {
    const { settings, accounts, signIn, resolver, links, verifier, activity, clock, mask } = wired(strapi);
    return createSettingsController({
      strapi,
      settings,
      accounts,
      signIn,
      resolver,
      lockoutProblem: createLockoutGuard({ strapi, accounts, links, signIn, resolver }),
      verifier,
      activity,
      clock,
      mask,
    });
  },
  sessions: ({ strapi }) => {
    const { settings, accounts, sessionList, signOut, deactivation, deactivationJob, activity } = wired(strapi);
    return createSessionsController({ strapi, settings, accounts, list: sessionList, signOut, deactivation, job: deactivationJob, activity });
  },
  activity: ({ strapi }) => createActivityController({ query: createActivityQuery(strapi), activity: wired(strapi).activity }),
};

export default controllers;
