import { Box, Button, Field, Flex, IconButton, TextInput, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { InputFrame, type InputProps } from './InputFrame';

/** One text input per entry, with add and remove buttons. */
export function ListInput(
  props: InputProps & {
    value: string[];
    onChange: (value: string[]) => void;
    entryLabel: (index: number) => string;
    addLabel: string;
    placeholder?: string;
    entryErrors?: Record<number, string>;
  },
) {
  const { name, value, onChange, pinned, readOnly, entryLabel, addLabel, placeholder, entryErrors = {}, t } = props;
  const locked = pinned || readOnly;
  return (
    <InputFrame {...props} group={{ labelId: `${name}-list-label`, gap: 1 }}>
      <Flex direction="column" alignItems="stretch" gap={2}>
        {value.length === 0 ? (
          <Typography variant="pi" textColor="neutral600">
            {t('settings.list.empty', 'No entries.')}
          </Typography>
        ) : null}
        {value.map((entry, index) => (
          <Field.Root key={index} name={`${name}.${index}`} error={entryErrors[index]}>
            <Flex gap={2} alignItems="center">
              <Box grow={1}>
                <TextInput
                  aria-label={entryLabel(index)}
                  value={entry}
                  placeholder={placeholder}
                  disabled={locked}
                  hasError={entryErrors[index] !== undefined}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => onChange(value.map((item, i) => (i === index ? event.currentTarget.value : item)))}
                />
              </Box>
              {locked ? null : (
                <IconButton
                  label={t('settings.list.remove', 'Remove {entry}', { entry: entry || entryLabel(index) })}
                  variant="tertiary"
                  type="button"
                  onClick={() => onChange(value.filter((_, i) => i !== index))}
                >
                  <Trash />
                </IconButton>
              )}
            </Flex>
          </Field.Root>
        ))}
        {locked ? null : (
          <Box>
            <Button variant="secondary" size="S" type="button" startIcon={<Plus />} onClick={() => onChange([...value, ''])}>
              {addLabel}
            </Button>
          </Box>
        )}
      </Flex>
    </InputFrame>
  );
}
