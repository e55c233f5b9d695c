import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { foldHeaderName } from '../../pipeline/header-name';
import { identityHeaders } from '../../identity/request-identity';
import type { SettingsSource } from '../infrastructure/settings-store';
import { logLine } from '../../pipeline/log-text';

type WebhookData = { headers?: Record<string, unknown> } & Record<string, unknown>;

interface WebhookStore {
  createWebhook(data: WebhookData): Promise<unknown>;
  updateWebhook(id: unknown, data: WebhookData): Promise<unknown>;
  findWebhooks(): Promise<Array<{ id: unknown; name: string; headers?: Record<string, unknown> }>>;
}

/**
 * Strapi sends webhooks with headers an admin chooses, and Strapi usually sits
 * next to the proxy on loopback: a webhook carrying the identity or the secret
 * header would be Strapi asserting an identity to itself (T8). Such webhooks
 * are refused when saved.
 */
export function guardWebhooks(strapi: Core.Strapi, settings: SettingsSource): void {
  const store = strapi.get('webhookStore') as WebhookStore;

  const forbiddenHeader = async (data: WebhookData): Promise<string | null> => {
    const { assertion, identity } = await settings.current();
    // The signed-assertion header and its unsigned companions too (identityHeaders).
    const protectedNames = [...identityHeaders(identity), assertion.secret?.header].filter(Boolean).map((n) => foldHeaderName(n as string));
    return Object.keys(data.headers ?? {}).find((name) => protectedNames.includes(foldHeaderName(name))) ?? null;
  };

  const refuse = (name: string): never => {
    throw new errors.ValidationError(
      `Webhook headers must not include "${name}": it is the remote-auth identity or shared-secret header.`,
    );
  };

  const create = store.createWebhook.bind(store);
  const update = store.updateWebhook.bind(store);
  store.createWebhook = async (data) => {
    const name = await forbiddenHeader(data);
    return name ? refuse(name) : create(data);
  };
  store.updateWebhook = async (id, data) => {
    const name = await forbiddenHeader(data);
    return name ? refuse(name) : update(id, data);
  };
}

/** Boot-time check of webhooks saved before the plugin was installed. */
export async function warnAboutExistingWebhooks(strapi: Core.Strapi, settings: SettingsSource): Promise<void> {
  const store = strapi.get('webhookStore') as WebhookStore;
  const { assertion, identity } = await settings.current();
  const protectedNames = [...identityHeaders(identity), assertion.secret?.header].filter(Boolean).map((n) => foldHeaderName(n as string));
  for (const webhook of await store.findWebhooks()) {
    const bad = Object.keys(webhook.headers ?? {}).find((name) => protectedNames.includes(foldHeaderName(name)));
    if (bad) {
      strapi.log.error(
        logLine`[remote-auth] webhook "${webhook.name}" sends the header "${bad}"; remove it in Settings → Webhooks (Strapi could sign itself in)`,
      );
    }
  }
}
