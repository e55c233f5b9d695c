import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { createMasking, maskTagKey, type Masking } from '../../pipeline/masking';
import { logLine } from '../../pipeline/log-text';

/** Where the secret the mask tags are keyed with lives: every Strapi app has it (it signs admin tokens). */
export const MASK_SECRET_CONFIG = 'admin.auth.secret';

/**
 * The masking of this installation: tags keyed from `admin.auth.secret`, so they are the same
 * after a restart and on every instance that shares the configuration, and nobody without the
 * secret can compute one. Without that secret (Strapi's admin does not start without it), a
 * random key: tags still hide the value, but differ per process.
 */
export function createInstallationMasking(strapi: Core.Strapi): Masking {
  const secret = strapi.config.get(MASK_SECRET_CONFIG);
  if (typeof secret === 'string' && secret !== '') return createMasking(maskTagKey(secret));
  strapi.log.warn(
    logLine`[remote-auth] ${MASK_SECRET_CONFIG} is not set: the tags of masked identities (activity rows, "Check this connection") are keyed at random and change with every restart`,
  );
  return createMasking(randomBytes(32));
}
