import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Alert, Flex } from '@strapi/design-system';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { SETTINGS_URL, type SettingsPayload } from '../api';
import { ConnectionCheck } from '../components/check/ConnectionCheck';
import type { InputProps } from '../components/inputs/InputFrame';
import { SaveBar } from '../components/settings/SaveBar';
import { SettingField } from '../components/settings/SettingField';
import { SettingsNotices } from '../components/settings/SettingsNotices';
import { SettingsSections } from '../components/settings/SettingsSections';
import { UnsavedChangesGuard } from '../components/UnsavedChangesGuard';
import { PERMISSIONS } from '../permissions';
import { draftFrom, errorsFrom, inputFrom, sameValue, type Draft, type FieldErrors } from '../utils/draft';
import { issuesOf, messageOf } from '../utils/fetch-error';
import { settingHints, settingLabels } from '../utils/setting-texts';
import type { SectionLayout } from '../utils/settings-layout';
import { useT } from '../utils/useT';

/**
 * Where each option goes; options the server adds later land in "Other options".
 * (npm run docs reads this list for docs/configuration.md.)
 */
const SECTIONS: SectionLayout[] = [
  { id: 'signIn', keys: ['enabled', 'mode', 'header', 'userField', 'emailDomain', 'realms', 'normalizeIdentity'] },
  { id: 'trust', keys: ['trustedProxies', 'sharedSecret'] },
  { id: 'assertion', keys: ['assertion'] },
  { id: 'attributes', keys: ['emailHeader', 'firstNameHeader', 'lastNameHeader', 'groupsHeader', 'groupsSeparator'] },
  {
    id: 'accounts',
    keys: ['autoCreate', 'maxNewUsersPerMinute', 'defaultRoles', 'linkByEmail', 'linkByEmailHeader', 'allowInactive', 'allowPasswordLogin', 'deactivateAfterDays', 'onLogin'],
  },
  { id: 'groups', keys: ['groupRoles', 'syncRoles', 'syncInterval', 'allowSuperAdminMapping', 'requireGroups', 'denyGroups'] },
  { id: 'afterLogout', keys: ['logoutRedirectUrl'] },
  { id: 'activity', keys: ['activityRetentionDays'] },
];

function SettingsForm() {
  const t = useT();
  const { get, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const {
    allowedActions: { canUpdate },
  } = useRBAC(PERMISSIONS.update);

  const [payload, setPayload] = useState<SettingsPayload | null>(null);
  const [initial, setInitial] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [checkKey, setCheckKey] = useState(0);

  const apply = useCallback((next: SettingsPayload) => {
    const values = draftFrom(next);
    setPayload(next);
    setInitial(values);
    setDraft(values);
    setErrors({});
  }, []);

  useEffect(() => {
    let cancelled = false;
    get<{ data: SettingsPayload }>(SETTINGS_URL)
      .then(({ data }) => {
        if (!cancelled) apply(data.data);
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(messageOf(error));
      });
    return () => {
      cancelled = true;
    };
  }, [get, apply]);

  const modified = useMemo(() => Boolean(draft && initial && !sameValue(draft, initial)), [draft, initial]);

  const setValue = useCallback((key: string, value: unknown) => {
    setDraft((current) => (current ? ({ ...current, [key]: value } as Draft) : current));
    setErrors((current) => {
      if (!(key in current)) return current;
      const next = { ...current };
      for (const name of Object.keys(next)) if (name === key || name.startsWith(`${key}.`)) delete next[name];
      return next;
    });
  }, []);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!payload || !draft || !modified || saving || !canUpdate) return;
    setSaving(true);
    try {
      const { data } = await put<{ data: SettingsPayload }>(SETTINGS_URL, { settings: inputFrom(draft, payload) });
      apply(data.data);
      setCheckKey((key) => key + 1);
      toggleNotification({ type: 'success', message: t('notification.saved', 'Settings saved. They apply from the next request.') });
    } catch (error) {
      const fieldErrors = errorsFrom(issuesOf(error), Object.keys(payload.settings));
      setErrors(fieldErrors);
      const onFields = Object.keys(fieldErrors).some((key) => key !== '_form');
      toggleNotification({
        type: 'danger',
        title: t('notification.notSaved.title', 'Settings not saved'),
        message: onFields
          ? t('notification.notSaved.fields', 'The settings were not saved: correct the fields marked in red.')
          : t('notification.notSaved', 'The settings were not saved: {message}', { message: messageOf(error) }),
      });
    } finally {
      setSaving(false);
    }
  };

  const title = t('settings.title', 'Remote authentication');

  if (loadError) {
    return (
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <SaveBar title={title} canSave={false} modified={false} saving={false} t={t} />
        <Layouts.Content>
          <Alert closeLabel={t('settings.close', 'Close')} title={t('settings.loadFailed', 'The settings could not be loaded.')} variant="danger">
            {loadError}
          </Alert>
        </Layouts.Content>
      </Page.Main>
    );
  }
  if (!payload || !draft) return <Page.Loading />;

  const labels = settingLabels(t);
  const hints = settingHints(t, Boolean(draft.assertion));
  const readOnly = !canUpdate;
  // Keys only a Super Admin may change (T21): shown read-only to others, with the reason.
  const superAdminOnly = payload.readOnly ?? {};
  const lockedReason = (key: string): string | null => {
    const reason = superAdminOnly[key];
    if (!reason || payload.pinned.includes(key)) return null;
    // The server says what this option decides ("only a Super Admin can change this: it decides …").
    const sentence = `${reason.charAt(0).toUpperCase()}${reason.slice(1)}${reason.endsWith('.') ? '' : '.'}`;
    return /grants the Super Admin role/.test(reason) ? sentence : t(`settings.superAdminOnly.${key}`, sentence);
  };
  const settable = Object.keys(payload.settings).filter((key) => payload.fields[key]?.kind !== 'hook' && !payload.pinned.includes(key));
  // Nothing on the page is this user's to change (today: anyone who is not a Super Admin): no Save button.
  const changesNothing = settable.every((key) => lockedReason(key) !== null);
  const canSave = canUpdate && !changesNothing;
  const input = (key: string): InputProps => ({
    name: key,
    label: labels[key] ?? key,
    hint: lockedReason(key) ?? hints[key] ?? payload.fields[key]?.help ?? '',
    error: errors[key],
    pinned: payload.pinned.includes(key),
    readOnly: readOnly || Boolean(lockedReason(key)),
    t,
  });
  const field = (key: string) => (
    <SettingField
      name={key}
      input={input(key)}
      draft={draft}
      payload={payload}
      errors={errors}
      labels={labels}
      hints={hints}
      onChange={(value) => setValue(key, value)}
      t={t}
    />
  );

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <UnsavedChangesGuard when={modified && !saving} />
      <form onSubmit={save} noValidate>
        <SaveBar title={title} canSave={canSave} modified={modified} saving={saving} t={t} />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <SettingsNotices
              formError={errors._form}
              someSuperAdminOnly={Object.keys(superAdminOnly).length > 0}
              changesNothing={changesNothing}
              canUpdate={canUpdate}
              somePinned={payload.pinned.length > 0}
              t={t}
            />
            <SettingsSections sections={SECTIONS} payload={payload} draft={draft} errors={errors} lockedReason={lockedReason} field={field} t={t} />
            <ConnectionCheck t={t} refreshKey={checkKey} />
          </Flex>
        </Layouts.Content>
      </form>
    </Page.Main>
  );
}

export default function SettingsPage() {
  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <SettingsForm />
    </Page.Protect>
  );
}
