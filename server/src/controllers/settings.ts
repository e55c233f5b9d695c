import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { actorIsSuperAdmin } from '../strapi/guards/super-admin-actor';
import type { Context } from 'koa';
import { compileSettings } from '../settings-schema/compile';
import { readOnlyReason, superAdminOnlyChange } from '../settings-schema/critical-keys';
import { parseSettings, schema, settingKeys, SettingsError, type SettingKey, type Settings, type SettingsIssue } from '../settings-schema/schema';
import type { Accounts, AdminUser } from '../strapi/accounts/accounts';
import type { AccountResolver } from '../strapi/sign-in/account-resolver';
import { diagnose } from '../strapi/diagnostics/diagnostics';
import type { SignIn } from '../strapi/sign-in/sign-in';
import type { LockoutGuard } from '../strapi/guards/lockout-guard';
import type { AssertionVerifier } from '../signed-assertions/verifier';
import type { SettingsSource } from '../strapi/infrastructure/settings-store';
import type { ActivityLog } from '../strapi/activity/activity-log';
import type { Clock } from '../strapi/infrastructure/clock';
import { logLine } from '../pipeline/log-text';
import type { Masking } from '../pipeline/masking';

interface Dependencies {
  readonly strapi: Core.Strapi;
  readonly settings: SettingsSource;
  readonly accounts: Accounts;
  readonly signIn: SignIn;
  readonly resolver: AccountResolver;
  readonly lockoutProblem: LockoutGuard;
  readonly verifier: AssertionVerifier;
  readonly activity: ActivityLog;
  /** The time the key check's cached answer is judged by (tests move it). */
  readonly clock: Clock;
  /** How *Check this connection* masks the identities it shows. */
  readonly mask: Masking;
}

type Values = Record<string, unknown>;

const isHook = (key: string) => key in schema && schema[key as SettingKey].kind === 'hook';

/** The settings as the API shows them: hooks left out, the secret value never sent back. */
function publicSettings(settings: Settings): Values {
  const shown: Values = {};
  for (const key of settingKeys) {
    if (isHook(key)) continue;
    shown[key] = settings[key];
  }
  shown.sharedSecret = settings.sharedSecret ? { header: settings.sharedSecret.header, isSet: true } : null;
  shown.assertion = publicAssertion(settings.assertion);
  return shown;
}

/** The assertion settings without the HMAC secret: `hmacSecretIsSet` says whether one is stored. */
function publicAssertion(assertion: Settings['assertion']): Values | null {
  if (assertion === null) return null;
  const { hmacSecret, ...rest } = assertion;
  return hmacSecret === undefined ? rest : { ...rest, hmacSecretIsSet: true };
}

const comparable = (key: string, value: unknown): string => {
  if (key === 'sharedSecret' && value && typeof value === 'object') return JSON.stringify({ header: (value as Values).header });
  if (key === 'assertion' && value && typeof value === 'object') {
    const { hmacSecret: _secret, hmacSecretIsSet: _isSet, ...rest } = value as Values;
    return JSON.stringify(rest);
  }
  return JSON.stringify(value ?? null);
};

/**
 * The assertion as the form sends it back: `hmacSecretIsSet` dropped, and an
 * empty `hmacSecret` keeps the stored one (the API never shows it).
 */
function incomingAssertion(value: Values, stored: unknown): Values {
  const { hmacSecretIsSet: _isSet, hmacSecret, ...rest } = value;
  const keep = hmacSecret === undefined || hmacSecret === null || hmacSecret === '';
  const previous = (stored as { hmacSecret?: string } | null | undefined)?.hmacSecret;
  if (!keep) return { ...rest, hmacSecret };
  return previous ? { ...rest, hmacSecret: previous } : rest;
}

/**
 * 403 naming every key the user may not change, and why. Written as the body
 * Strapi gives errors: a thrown ForbiddenError would lose its message and
 * details (Strapi's endpoint wrapper answers a bare "Forbidden").
 */
function refuseNotSuperAdmin(ctx: Context, issues: readonly SettingsIssue[]): void {
  ctx.status = 403;
  ctx.body = {
    data: null,
    error: {
      status: 403,
      name: 'ForbiddenError',
      message:
        `Settings not saved: only a Super Admin can change ${issues.map((i) => i.key).join(', ')}. ` +
        'These settings decide who is signed in, as whom, with which roles, or where people are sent; ' +
        'ask a Super Admin to change them.',
      details: { errors: issues.map((issue) => ({ path: [issue.key], message: issue.message, name: 'ForbiddenError' })) },
    },
  };
}

const validationError = (issues: readonly SettingsIssue[]): errors.ValidationError =>
  new errors.ValidationError(`Settings not saved: ${issues.map((i) => `${i.key} ${i.message}`).join('; ')}`, {
    errors: issues.map((issue) => ({ path: [issue.key], message: issue.message, name: 'ValidationError' })),
  });

/**
 * `GET/PUT /remote-auth/settings` and `GET /remote-auth/diagnostics`.
 * Pinned keys (set in config/plugins) are shown and accepted unchanged, never
 * overwritten; everything else is validated with the boot schema and stored.
 */
export function createSettingsController({ strapi, settings, accounts, signIn, resolver, lockoutProblem, verifier, activity, clock, mask }: Dependencies) {
  const isSuperAdmin = (ctx: Context): Promise<boolean> => actorIsSuperAdmin(strapi, ctx);

  async function payload(ctx: Context): Promise<Values> {
    const current = (await settings.current()).settings;
    const superAdmin = await isSuperAdmin(ctx);
    // Key → why this user cannot change it (T21); empty for a Super Admin.
    const readOnly: Record<string, string> = {};
    if (!superAdmin) {
      for (const key of settingKeys) {
        if (isHook(key)) continue;
        const reason = readOnlyReason(key, current[key]);
        if (reason) readOnly[key] = reason;
      }
    }
    const pinned = settings.pinnedKeys().filter((key) => key in schema && !isHook(key));
    const roles = await strapi.db.query('admin::role').findMany({ select: ['id', 'code', 'name'], orderBy: { id: 'asc' } });
    const fields: Values = {};
    for (const key of settingKeys) {
      const field = schema[key];
      fields[key] = { kind: field.kind, help: field.help, choices: field.choices, default: field.kind === 'hook' ? null : field.default };
    }
    return {
      settings: publicSettings(current),
      pinned,
      hooks: { normalizeIdentity: current.normalizeIdentity !== null, onLogin: current.onLogin !== null },
      fields,
      roles,
      readOnly,
      isSuperAdmin: superAdmin,
    };
  }

  return {
    async read(ctx: Context): Promise<void> {
      ctx.body = { data: await payload(ctx) };
    },

    async update(ctx: Context): Promise<void> {
      const body = (ctx.request as unknown as { body?: { settings?: unknown } }).body?.settings;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw validationError([{ key: 'settings', message: 'must be an object, as GET /remote-auth/settings returns it' }]);
      }
      const before = await settings.current();
      // A key set to undefined in config/plugins is not pinned.
      const pinned = Object.fromEntries(Object.entries(settings.pinnedValues()).filter(([, value]) => value !== undefined));
      const stored = await settings.storedValues();
      const issues: SettingsIssue[] = [];
      const next: Values = {};

      for (const [key, value] of Object.entries(body as Values)) {
        if (value === undefined) continue;
        if (isHook(key)) {
          if (value !== null && typeof value !== 'boolean') issues.push({ key, message: 'can only be set in config/plugins (it is code)' });
          continue;
        }
        if (key in pinned) {
          if (comparable(key, value) !== comparable(key, (before.settings as Values)[key])) {
            issues.push({ key, message: 'is set in config/plugins and cannot be changed here' });
          }
          continue;
        }
        if (key === 'sharedSecret' && value && typeof value === 'object' && !Array.isArray(value)) {
          const { header, value: secret } = value as Values;
          const keep = secret === undefined || secret === null || secret === '';
          const previous = (stored.sharedSecret as { value?: string } | null | undefined)?.value;
          if (keep && !previous) {
            issues.push({ key, message: '.value is required to set a shared secret' });
            continue;
          }
          next[key] = { header, value: keep ? previous : secret };
          continue;
        }
        if (key === 'assertion' && value && typeof value === 'object' && !Array.isArray(value)) {
          next[key] = incomingAssertion(value as Values, stored.assertion);
          continue;
        }
        next[key] = value;
      }
      if (issues.length > 0) throw validationError(issues);

      let after;
      try {
        after = compileSettings(parseSettings({ ...next, ...pinned }));
      } catch (error) {
        if (error instanceof SettingsError) throw validationError(error.issues);
        throw error;
      }
      if (!(await isSuperAdmin(ctx))) {
        // Compare the effective settings, not the body: leaving a key out resets it too.
        const forbidden: SettingsIssue[] = [];
        let changed = false;
        for (const key of settingKeys) {
          if (isHook(key)) continue;
          const was = before.settings[key];
          const will = after.settings[key];
          if (JSON.stringify(was ?? null) === JSON.stringify(will ?? null)) continue;
          changed = true;
          const reason = superAdminOnlyChange(key, was, will);
          if (reason) forbidden.push({ key, message: reason });
        }
        if (forbidden.length > 0) {
          strapi.log.warn(
            logLine`[remote-auth] admin user ${(ctx.state.user as AdminUser).id} (not a Super Admin) tried to change ${forbidden.map((i) => i.key).join(', ')}; refused`,
          );
          refuseNotSuperAdmin(ctx, forbidden);
          return;
        }
        // Nothing changed: leave the store as the Super Admin wrote it (a save would store every default explicitly).
        if (!changed) {
          ctx.body = { data: await payload(ctx) };
          return;
        }
      }
      const problem = await lockoutProblem(ctx, ctx.state.user as AdminUser, before, after);
      if (problem) throw validationError([problem]);

      await settings.save(next);
      strapi.log.info(logLine`[remote-auth] settings updated by admin user ${(ctx.state.user as AdminUser).id}`);
      // Which keys, never their values (the shared secret above all).
      const keys = settingKeys.filter((key) => !isHook(key) && JSON.stringify(before.settings[key] ?? null) !== JSON.stringify(after.settings[key] ?? null));
      activity.record({ kind: 'settings-changed', keys, userId: (ctx.state.user as AdminUser).id, identity: (ctx.state.user as AdminUser).email ?? null, source: 'admin' });
      ctx.body = { data: await payload(ctx) };
    },

    async diagnostics(ctx: Context): Promise<void> {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { data: await diagnose(ctx, await settings.current(), { signIn, resolver, verifier, serverUrl: strapi.config.get('server.url'), mask, now: () => clock.now() }) };
    },
  };
}
