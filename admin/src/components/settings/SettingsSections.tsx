import type { ReactNode } from 'react';
import type { SettingsPayload } from '../../api';
import type { Draft, FieldErrors } from '../../utils/draft';
import { HOOKS, WIDE, type SectionLayout } from '../../utils/settings-layout';
import { sectionTitles } from '../../utils/setting-texts';
import type { Translate } from '../../utils/useT';
import { Cell, Section } from '../Section';

interface SettingsSectionsProps {
  /** The sections in order, with the options each holds. */
  sections: SectionLayout[];
  payload: SettingsPayload;
  draft: Draft;
  errors: FieldErrors;
  /** Why the viewer may not change an option (only a Super Admin may), or null. */
  lockedReason: (key: string) => string | null;
  /** The input of an option. */
  field: (key: string) => ReactNode;
  t: Translate;
}

/** The options in their sections, in the order of the layout; options the layout does not place end in "Other options". */
export function SettingsSections({ sections, payload, draft, errors, lockedReason, field, t }: SettingsSectionsProps) {
  const visible = (key: string): boolean => {
    if (key === 'emailDomain') return draft.userField === 'username' || Boolean(errors.emailDomain) || (typeof draft[key] === 'string' && draft[key] !== '');
    return true;
  };
  const placed = new Set(sections.flatMap((section) => section.keys));
  const others = Object.keys(payload.settings).filter((key) => !placed.has(key) && payload.fields[key] && payload.fields[key].kind !== 'hook');
  const titles = sectionTitles(t);
  const cell = (key: string) => <div data-locked={lockedReason(key) ? 'super-admin' : undefined}>{field(key)}</div>;
  return (
    <>
      {sections.map((section) => {
        const keys = section.keys.filter((key) => visible(key) && (key in payload.settings || (HOOKS.has(key) && key in payload.fields)));
        if (keys.length === 0) return null;
        const [sectionTitle, description] = titles[section.id];
        return (
          <Section key={section.id} id={section.id} title={sectionTitle} description={description}>
            {keys.map((key) => (
              <Cell key={key} full={WIDE.has(key)}>
                {cell(key)}
              </Cell>
            ))}
          </Section>
        );
      })}
      {others.length > 0 ? (
        <Section id="other" title={t('section.other', 'Other options')}>
          {others.map((key) => (
            <Cell key={key}>{cell(key)}</Cell>
          ))}
        </Section>
      ) : null}
    </>
  );
}
