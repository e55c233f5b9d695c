import type { ReactNode } from 'react';
import { Box, Field, Flex, Typography } from '@strapi/design-system';
import { Lock } from '@strapi/icons';
import type { Translate } from '../../utils/useT';

/** What every input of the settings page shares. */
export interface InputProps {
  name: string;
  label: string;
  hint: ReactNode;
  error?: string;
  /** Set in config/plugins: shown, not editable. */
  pinned: boolean;
  /** The viewer may read but not update the settings (the hint then says why). */
  readOnly: boolean;
  t: Translate;
}

/** The lock beside the label of an option set in config/plugins. */
export function PinnedLock({ pinned, t }: { pinned: boolean; t: Translate }) {
  if (!pinned) return null;
  return (
    <Box color="neutral500" title={t('settings.pinned.title', 'Set in config/plugins')} aria-hidden>
      <Lock width="1.2rem" height="1.2rem" />
    </Box>
  );
}

/** The hint under an input: where to change it when config/plugins sets it, else its own (or the read-only reason). */
export function shownHint({ hint, pinned, t }: Pick<InputProps, 'hint' | 'pinned' | 't'>): ReactNode {
  return pinned ? t('settings.pinned.hint', 'Set in config/plugins — change it there') : hint;
}

/** Several controls under one label (a list, a mapping, a secret) rather than one labelled control. */
interface Group {
  /** Id of the label; given, the frame is a group named by it. */
  labelId?: string;
  gap: 1 | 3;
  /** Shown on the right of the label (the secret's state and button). */
  aside?: ReactNode;
}

type FrameProps = Omit<InputProps, 'readOnly'> & { children: ReactNode; group?: Group };

/**
 * The frame of every input: label (with the lock when pinned), the control(s),
 * then the error or else the hint. One control: a design-system Field that
 * labels it; a group: a bold label over the controls.
 */
export function InputFrame({ name, label, error, pinned, hint, t, children, group }: FrameProps) {
  const shown = shownHint({ hint, pinned, t });
  if (!group) {
    return (
      <Field.Root name={name} hint={shown} error={error} data-field={name} data-pinned={pinned ? 'true' : undefined}>
        <Field.Label action={<PinnedLock pinned={pinned} t={t} />}>{label}</Field.Label>
        {children}
        <Field.Hint />
        <Field.Error />
      </Field.Root>
    );
  }
  const heading = (
    <Flex alignItems="center" gap={1}>
      <Typography variant="pi" fontWeight="bold" textColor="neutral800" id={group.labelId}>
        {label}
      </Typography>
      <PinnedLock pinned={pinned} t={t} />
    </Flex>
  );
  return (
    <Flex
      direction="column"
      alignItems="stretch"
      gap={group.gap}
      data-field={name}
      data-pinned={pinned ? 'true' : undefined}
      role={group.labelId ? 'group' : undefined}
      aria-labelledby={group.labelId}
    >
      {group.aside ? (
        <Flex justifyContent="space-between" alignItems="center" gap={2} wrap="wrap">
          {heading}
          {group.aside}
        </Flex>
      ) : (
        heading
      )}
      {children}
      {error ? (
        <Typography variant="pi" tag="p" textColor="danger600" data-strapi-field-error role="alert">
          {error}
        </Typography>
      ) : shown ? (
        <Typography variant="pi" tag="p" textColor="neutral600">
          {shown}
        </Typography>
      ) : null}
    </Flex>
  );
}
