import { Button } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts } from '@strapi/strapi/admin';
import type { Translate } from '../../utils/useT';

interface SaveBarProps {
  title: string;
  /** The viewer may change something on the page: the Save button is shown. */
  canSave: boolean;
  /** The form differs from what is saved: the button is enabled. */
  modified: boolean;
  saving: boolean;
  t: Translate;
}

/** The settings page's header, with the Save button of its form. */
export function SaveBar({ title, canSave, modified, saving, t }: SaveBarProps) {
  return (
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
  );
}
