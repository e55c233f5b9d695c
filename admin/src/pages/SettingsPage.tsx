import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Flex } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page, isFetchError, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { SETTINGS_URL, type SettingsPayload, type ValidationIssue } from '../api';
import { ConnectionCheck } from '../components/check/ConnectionCheck';
import { AssertionInput } from '../components/inputs/AssertionInput';
import { BooleanInput } from '../components/inputs/BooleanInput';
import { ChoiceInput } from '../components/inputs/ChoiceInput';
import { HookStatus } from '../components/inputs/HookStatus';
import type { InputProps } from '../components/inputs/InputFrame';
import { ListInput } from '../components/inputs/ListInput';
import { MappingInput } from '../components/inputs/MappingInput';
import { RolesInput } from '../components/inputs/RolesInput';
import { SecretInput } from '../components/inputs/SecretInput';
import { TextValueInput } from '../components/inputs/TextValueInput';
import { Cell, Section } from '../components/Section';
import { UnsavedChangesGuard } from '../components/UnsavedChangesGuard';
import { PERMISSIONS } from '../permissions';
import type { AssertionDraft } from '../utils/assertion-draft';
import { draftFrom, errorsFrom, inputFrom, sameValue, type Draft, type FieldErrors, type MappingRow, type SecretDraft } from '../utils/draft';
import { useT, type Translate } from '../utils/useT';

/** Where each option goes; options the server adds later land in "Other options". */
const SECTIONS: Array<{ id: string; keys: string[] }> = [
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
const HOOKS = new Set(['normalizeIdentity', 'onLogin']);
/** Examples shown in empty text inputs (values, not UI text: not translated). */
const PLACEHOLDERS: Record<string, string> = {
  header: 'Remote-User',
  emailDomain: 'corp.example',
  emailHeader: 'Remote-Email',
  firstNameHeader: 'Remote-Given-Name',
  lastNameHeader: 'Remote-Family-Name',
  groupsHeader: 'Remote-Groups',
  groupsSeparator: ',',
  logoutRedirectUrl: 'https://sso.example.com/logout',
};
/** Fields that take the whole width of their card. */
const WIDE = new Set(['assertion', 'trustedProxies', 'sharedSecret', 'defaultRoles', 'groupRoles', 'logoutRedirectUrl', 'realms']);
const PLACED = new Set(SECTIONS.flatMap((section) => section.keys));

function labels(t: Translate): Record<string, string> {
  return {
    enabled: t('settings.enabled', 'Sign in from the proxy header'),
    mode: t('settings.mode', 'Mode'),
    header: t('settings.header', 'Identity header'),
    userField: t('settings.userField', 'The header carries'),
    emailDomain: t('settings.emailDomain', 'E-mail domain'),
    realms: t('settings.realms', 'Kerberos realms'),
    linkByEmailHeader: t('settings.linkByEmailHeader', 'Match by the e-mail header too'),
    maxNewUsersPerMinute: t('settings.maxNewUsersPerMinute', 'New accounts per minute (at most)'),
    normalizeIdentity: t('settings.normalizeIdentity', 'Identity clean-up hook (normalizeIdentity)'),
    trustedProxies: t('settings.trustedProxies', 'Trusted proxies'),
    assertion: t('settings.assertion', 'Identity-aware proxy'),
    sharedSecret: t('settings.sharedSecret', 'Shared secret'),
    emailHeader: t('settings.emailHeader', 'E-mail header'),
    firstNameHeader: t('settings.firstNameHeader', 'First name header'),
    lastNameHeader: t('settings.lastNameHeader', 'Last name header'),
    groupsHeader: t('settings.groupsHeader', 'Groups header'),
    groupsSeparator: t('settings.groupsSeparator', 'Groups separator'),
    autoCreate: t('settings.autoCreate', 'Create missing accounts'),
    linkByEmail: t('settings.linkByEmail', 'Match existing accounts by e-mail'),
    groupRoles: t('settings.groupRoles', 'Roles by group'),
    syncRoles: t('settings.syncRoles', 'Keep roles in sync'),
    allowSuperAdminMapping: t('settings.allowSuperAdminMapping', 'Let groups grant Super Admin'),
    requireGroups: t('settings.requireGroups', 'Required groups'),
    denyGroups: t('settings.denyGroups', 'Denied groups'),
    defaultRoles: t('settings.defaultRoles', 'Roles of created accounts'),
    allowInactive: t('settings.allowInactive', 'Let inactive accounts sign in'),
    deactivateAfterDays: t('settings.deactivateAfterDays', 'Deactivate after days without sign-in'),
    syncInterval: t('settings.syncInterval', 'Re-sync roles and names every (seconds)'),
    allowPasswordLogin: t('settings.allowPasswordLogin', 'Keep password login'),
    onLogin: t('settings.onLogin', 'After sign-in hook (onLogin)'),
    logoutRedirectUrl: t('settings.logoutRedirectUrl', 'Logout redirect URL'),
    activityRetentionDays: t('settings.activityRetentionDays', 'Keep sign-in activity (days)'),
  };
}

function hints(t: Translate): Record<string, string> {
  return {
    enabled: t('settings.enabled.hint', 'Off: the plugin ignores the header and everyone uses the password form.'),
    mode: t(
      'settings.mode.hint',
      'Persistent: the header only starts a session, which lives until logout or expiry. Strict: every admin request must carry the same identity, or the session ends.',
    ),
    header: t('settings.header.hint', 'Request header the proxy fills with the identity, e.g. Remote-User or X-Forwarded-Email.'),
    userField: t('settings.userField.hint', 'An e-mail address, or a user name completed with the e-mail domain.'),
    emailDomain: t('settings.emailDomain.hint', 'Domain of the accounts: the user name jane becomes jane@corp.example with corp.example here.'),
    realms: t(
      'settings.realms.hint',
      'With user names: realms stripped from jane@REALM (any case). An identity with a realm not listed is refused.',
    ),
    linkByEmailHeader: t(
      'settings.linkByEmailHeader.hint',
      'Let the e-mail from the e-mail header link a first sign-in to an existing account. Only if the proxy vouches for that e-mail.',
    ),
    maxNewUsersPerMinute: t(
      'settings.maxNewUsersPerMinute.hint',
      'Ceiling on accounts created on sign-in, per Strapi instance. 0: no limit.',
    ),
    normalizeIdentity: t('settings.normalizeIdentity.hint', 'Code that cleans the header value or refuses it. Only config/plugins can set it.'),
    trustedProxies: t(
      'settings.trustedProxies.hint',
      'Addresses or CIDR ranges of the proxies allowed to send the header (e.g. 10.0.0.5 or 10.0.0.0/24). Requests from other peers are never signed in.',
    ),
    assertion: t(
      'settings.assertion.hint',
      'Verify the signed JWT the proxy sends with every request. None: the identity header is believed because of where the request comes from.',
    ),
    sharedSecret: t('settings.sharedSecret.hint', 'A secret header the proxy adds to every request, proving the request went through it.'),
    emailHeader: t('settings.emailHeader.hint', 'Header with the e-mail address. With user names it replaces user@domain.'),
    firstNameHeader: t('settings.firstNameHeader.hint', 'Header with the first name, copied to the account at every sign-in.'),
    lastNameHeader: t('settings.lastNameHeader.hint', 'Header with the last name, copied to the account at every sign-in.'),
    groupsHeader: t('settings.groupsHeader.hint', 'Header listing the groups the person is in, e.g. Remote-Groups.'),
    groupsSeparator: t('settings.groupsSeparator.hint', 'Between groups in the groups header: 1 to 3 punctuation characters, e.g. , or ; or |.'),
    autoCreate: t('settings.autoCreate.hint', 'Create an admin account on first sign-in for people who have none.'),
    defaultRoles: t('settings.defaultRoles.hint', 'Roles given to accounts created on sign-in (and kept when roles are synced). Avoid Super Admin.'),
    linkByEmail: t(
      'settings.linkByEmail.hint',
      'Sign an identity in as the existing account with the same e-mail. Off: only accounts this plugin created or linked before.',
    ),
    groupRoles: t('settings.groupRoles.hint', 'Roles granted to members of a group. Group names ignore case; * is a wildcard.'),
    syncRoles: t(
      'settings.syncRoles.hint',
      'On: at every sign-in the roles become exactly the default roles plus the mapped ones (others are removed). Off: mapped roles are only added.',
    ),
    allowSuperAdminMapping: t(
      'settings.allowSuperAdminMapping.hint',
      'Off: mappings to Super Admin are ignored, and syncing never removes it.',
    ),
    requireGroups: t('settings.requireGroups.hint', 'Only members of one of these groups may sign in (wildcards allowed). Empty: anyone.'),
    denyGroups: t('settings.denyGroups.hint', 'Members of any of these groups may not sign in (wildcards allowed).'),
    allowInactive: t('settings.allowInactive.hint', 'Inactive (not blocked) accounts may sign in; signing in activates them.'),
    deactivateAfterDays: t(
      'settings.deactivateAfterDays.hint',
      'Accounts single sign-on created that have not signed in for this many days are deactivated and signed out (hourly check; preview under Sessions & accounts). Never Super Admins, accounts with a password, or accounts it only linked. Empty: off.',
    ),
    syncInterval: t(
      'settings.syncInterval.hint',
      'Persistent mode, proxy sending the header on every request: roles and names follow the groups header at most this often, from requests of the same person. Empty: only at sign-in.',
    ),
    allowPasswordLogin: t(
      'settings.allowPasswordLogin.hint',
      'Off: accounts that sign in through the proxy cannot use a password. Super Admins always can.',
    ),
    onLogin: t('settings.onLogin.hint', 'Code called after every sign-in. Only config/plugins can set it.'),
    logoutRedirectUrl: t(
      'settings.logoutRedirectUrl.hint',
      'Where to send people after they log out of Strapi, e.g. the proxy’s sign-out page. Empty: back to the login page.',
    ),
    activityRetentionDays: t(
      'settings.activityRetentionDays.hint',
      'Older rows of the Activity page are deleted in the background. Shortening it deletes them within minutes.',
    ),
  };
}

function messageOf(error: unknown): string {
  if (isFetchError(error)) return error.response?.data?.error?.message ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

function issuesOf(error: unknown): ValidationIssue[] | undefined {
  if (!isFetchError(error)) return undefined;
  const details = error.response?.data?.error?.details as { errors?: ValidationIssue[] } | undefined;
  return Array.isArray(details?.errors) ? details.errors : undefined;
}

/** Entries of a list a message names ("… "127.1" is not …") get the red border. */
function entryErrors(entries: unknown, errors: FieldErrors, key: string): Record<number, string> {
  const result: Record<number, string> = {};
  if (!Array.isArray(entries)) return result;
  entries.forEach((entry, index) => {
    const own = errors[`${key}.${index}`];
    if (own) result[index] = own;
    else if (errors[key] && typeof entry === 'string' && entry.trim() !== '' && errors[key].includes(`"${entry.trim()}"`)) {
      result[index] = errors[key];
    }
  });
  return result;
}

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
        <Layouts.Header title={title} subtitle={t('settings.subtitle', 'Sign editors in from the identity your reverse proxy sends.')} />
        <Layouts.Content>
          <Alert closeLabel={t('settings.close', 'Close')} title={t('settings.loadFailed', 'The settings could not be loaded.')} variant="danger">
            {loadError}
          </Alert>
        </Layouts.Content>
      </Page.Main>
    );
  }
  if (!payload || !draft) return <Page.Loading />;

  const label = labels(t);
  const hint = hints(t);
  if (draft.assertion) {
    // With a signed assertion the identity comes from the verified token only (see the section's note).
    hint.header = t('settings.header.withAssertion', 'Ignored while a signed assertion is configured: the identity comes from the verified token.');
    const fromClaims = t(
      'settings.attributes.withAssertion',
      'Ignored while a signed assertion is configured: e-mail, names and groups come from its verified claims (Signed assertion → Advanced).',
    );
    for (const key of ['emailHeader', 'firstNameHeader', 'lastNameHeader', 'groupsHeader', 'groupsSeparator']) hint[key] = fromClaims;
    hint.trustedProxies = t(
      'settings.trustedProxies.withAssertion',
      'Optional with a signed assertion: an empty list accepts a verified assertion from any peer (Cloudflare’s edge, Google’s front ends); listing the proxy’s addresses adds defence in depth.',
    );
  }
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
  const common = (key: string): InputProps => ({
    name: key,
    label: label[key] ?? key,
    hint: lockedReason(key) ?? hint[key] ?? payload.fields[key]?.help ?? '',
    error: errors[key],
    pinned: payload.pinned.includes(key),
    readOnly: readOnly || Boolean(lockedReason(key)),
    t,
  });
  const str = (key: string): string => (typeof draft[key] === 'string' ? (draft[key] as string) : '');
  const bool = (key: string): boolean => draft[key] === true;
  const strings = (key: string): string[] => (Array.isArray(draft[key]) ? (draft[key] as string[]) : []);
  const choicesOf = (key: string, fallback: string[]): string[] => payload.fields[key]?.choices ?? fallback;

  /** A field the page knows how to present; unknown keys fall back to their kind. */
  const render = (key: string): ReactNode => {
    if (HOOKS.has(key)) {
      return (
        <HookStatus
          name={key}
          label={label[key]}
          configured={Boolean((payload.hooks as Record<string, boolean> | undefined)?.[key])}
          hint={hint[key] ?? payload.fields[key]?.help ?? ''}
          t={t}
        />
      );
    }
    if (!(key in payload.settings)) return null;
    const kind = payload.fields[key]?.kind;
    switch (key) {
      case 'mode':
        return (
          <ChoiceInput
            {...common(key)}
            value={str(key)}
            choices={choicesOf(key, ['persistent', 'strict'])}
            choiceLabel={(choice) => t(`settings.mode.${choice}`, choice)}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'userField':
        return (
          <ChoiceInput
            {...common(key)}
            value={str(key)}
            choices={choicesOf(key, ['email', 'username'])}
            choiceLabel={(choice) => t(`settings.userField.${choice}`, choice)}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'logoutRedirectUrl':
        return (
          <TextValueInput {...common(key)} value={str(key)} type="url" placeholder={PLACEHOLDERS[key]} onChange={(value) => setValue(key, value)} />
        );
      case 'trustedProxies':
        return (
          <ListInput
            {...common(key)}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => t('settings.trustedProxies.entry', 'Trusted proxy {number}', { number: index + 1 })}
            addLabel={t('settings.trustedProxies.add', 'Add an address')}
            placeholder="10.0.0.0/24"
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'sharedSecret':
        return (
          <SecretInput
            {...common(key)}
            value={draft.sharedSecret}
            headerError={errors['sharedSecret.header']}
            valueError={errors['sharedSecret.value']}
            onChange={(value: SecretDraft | null) => setValue(key, value)}
          />
        );
      case 'assertion':
        return (
          <AssertionInput
            {...common(key)}
            value={(draft.assertion as AssertionDraft | null | undefined) ?? null}
            errors={errors}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'defaultRoles':
        return <RolesInput {...common(key)} value={strings(key)} roles={payload.roles ?? []} onChange={(value) => setValue(key, value)} />;
      case 'requireGroups':
      case 'denyGroups':
        return (
          <ListInput
            {...common(key)}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => t('settings.groups.entry', '{list}: group {number}', { list: label[key], number: index + 1 })}
            addLabel={t('settings.groups.add', 'Add a group')}
            placeholder="cms-*"
            onChange={(value) => setValue(key, value)}
          />
        );
      default:
        break;
    }
    switch (kind) {
      case 'mapping':
        return (
          <MappingInput
            {...common(key)}
            value={Array.isArray(draft[key]) ? (draft[key] as MappingRow[]) : []}
            roles={payload.roles ?? []}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'boolean':
        return <BooleanInput {...common(key)} value={bool(key)} onChange={(value) => setValue(key, value)} />;
      case 'choice':
        return (
          <ChoiceInput
            {...common(key)}
            value={str(key)}
            choices={choicesOf(key, [])}
            choiceLabel={(choice) => choice}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'list':
        return (
          <ListInput
            {...common(key)}
            value={strings(key)}
            entryErrors={entryErrors(draft[key], errors, key)}
            entryLabel={(index) => `${label[key] ?? key} ${index + 1}`}
            addLabel={t('settings.list.add', 'Add an entry')}
            onChange={(value) => setValue(key, value)}
          />
        );
      case 'text':
        return <TextValueInput {...common(key)} value={str(key)} placeholder={PLACEHOLDERS[key]} onChange={(value) => setValue(key, value)} />;
      case 'number':
        return <TextValueInput {...common(key)} value={str(key)} type="number" onChange={(value) => setValue(key, value)} />;
      default:
        return null;
    }
  };

  const visible = (key: string): boolean => {
    if (key === 'emailDomain') return draft.userField === 'username' || Boolean(errors.emailDomain) || str(key) !== '';
    return true;
  };
  const others = Object.keys(payload.settings).filter((key) => !PLACED.has(key) && payload.fields[key] && payload.fields[key].kind !== 'hook');

  const sectionTitles: Record<string, [string, string]> = {
    signIn: [t('section.signIn', 'Sign-in'), t('section.signIn.description', 'Whether and how the proxy’s header signs people in.')],
    trust: [t('section.trust', 'Trust'), t('section.trust.description', 'Which requests may carry an identity at all.')],
    assertion: [
      t('section.assertion', 'Signed assertion'),
      t(
        'section.assertion.description',
        'Cloudflare Access, Google IAP, AWS ALB, Pomerium and OIDC gateways sign the identity they send. Verifying that signature makes the trust cryptographic.',
      ),
    ],
    attributes: [
      t('section.attributes', 'Profile headers'),
      t('section.attributes.description', 'Optional headers with more about the person. Empty: not used.'),
    ],
    accounts: [t('section.accounts', 'Accounts'), t('section.accounts.description', 'What happens to the admin accounts of the people who sign in.')],
    groups: [
      t('section.groups', 'Groups and roles'),
      t('section.groups.description', 'Who may sign in, and which roles they get, from the groups header.'),
    ],
    afterLogout: [t('section.afterLogout', 'After logout'), t('section.afterLogout.description', 'Where people go once they log out of Strapi.')],
    activity: [t('section.activity', 'Activity'), t('section.activity.description', 'How long the record of sign-ins, refusals and changes is kept.')],
  };
  const formError = errors._form;

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <UnsavedChangesGuard when={modified && !saving} />
      <form onSubmit={save} noValidate>
        <Layouts.Header
          title={title}
          subtitle={t('settings.subtitle', 'Sign editors in from the identity your reverse proxy sends.')}
          primaryAction={
            canSave ? (
              <Button type="submit" startIcon={<Check />} disabled={!modified} loading={saving} size="S">
                {t('settings.save', 'Save')}
              </Button>
            ) : undefined
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            {formError ? (
              <Alert closeLabel={t('settings.close', 'Close')} title={t('notification.notSaved.title', 'Settings not saved')} variant="danger">
                {formError}
              </Alert>
            ) : null}
            {changesNothing && Object.keys(superAdminOnly).length > 0 ? (
              <Alert
                closeLabel={t('settings.close', 'Close')}
                title={t('settings.superAdminOnly.allTitle', 'Only a Super Admin can change these settings')}
                variant="default"
                data-notice="super-admin-only"
              >
                {t(
                  'settings.superAdminOnly.allNotice',
                  'Every option here decides who is signed in, as whom, with which roles, or where people are sent, so it is shown read-only with the reason under it. You can review the settings and check the connection; ask a Super Admin to change them.',
                )}
              </Alert>
            ) : canUpdate && Object.keys(superAdminOnly).length > 0 ? (
              <Alert
                closeLabel={t('settings.close', 'Close')}
                title={t('settings.superAdminOnly.title', 'Some options can only be changed by a Super Admin')}
                variant="default"
                data-notice="super-admin-only"
              >
                {t(
                  'settings.superAdminOnly.notice',
                  'The options that decide who is signed in, as whom, with which roles, or where people are sent are shown read-only, with the reason under each. Ask a Super Admin to change them.',
                )}
              </Alert>
            ) : null}
            {payload.pinned.length > 0 ? (
              <Alert closeLabel={t('settings.close', 'Close')} title={t('settings.pinned.title', 'Set in config/plugins')} variant="default">
                {t('settings.pinned.notice', 'Options set in config/plugins are shown read-only here; change them in that file.')}
              </Alert>
            ) : null}
            {SECTIONS.map((section) => {
              const keys = section.keys.filter((key) => visible(key) && (key in payload.settings || (HOOKS.has(key) && key in payload.fields)));
              if (keys.length === 0) return null;
              const [sectionTitle, description] = sectionTitles[section.id];
              return (
                <Section key={section.id} id={section.id} title={sectionTitle} description={description}>
                  {keys.map((key) => (
                    <Cell key={key} full={WIDE.has(key)}>
                      <div data-locked={lockedReason(key) ? 'super-admin' : undefined}>{render(key)}</div>
                    </Cell>
                  ))}
                </Section>
              );
            })}
            {others.length > 0 ? (
              <Section id="other" title={t('section.other', 'Other options')}>
                {others.map((key) => (
                  <Cell key={key}>
                    <div data-locked={lockedReason(key) ? 'super-admin' : undefined}>{render(key)}</div>
                  </Cell>
                ))}
              </Section>
            ) : null}
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
