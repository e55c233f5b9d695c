import { Box, Button, Flex, IconButton, TextInput, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import type { Role } from '../../api';
import type { MappingRow } from '../../utils/draft';
import { InputFrame, type InputProps } from './InputFrame';
import { RoleSelect } from './RoleSelect';

/** Group → roles: one row per group pattern, with the roles it grants. */
export function MappingInput(
  props: InputProps & { value: MappingRow[]; roles: Role[]; onChange: (value: MappingRow[]) => void },
) {
  const { name, value, roles, onChange, pinned, readOnly, error, t } = props;
  const locked = pinned || readOnly;
  const update = (index: number, row: MappingRow) => onChange(value.map((item, i) => (i === index ? row : item)));
  return (
    <InputFrame {...props} group={{ labelId: `${name}-mapping-label`, gap: 1 }}>
      <Flex direction="column" alignItems="stretch" gap={2}>
        {value.length === 0 ? (
          <Typography variant="pi" textColor="neutral600">
            {t('settings.mapping.empty', 'No mappings.')}
          </Typography>
        ) : null}
        {value.map((row, index) => (
          <Flex key={index} gap={2} alignItems="flex-start">
            <Box basis="40%" grow={0} shrink={0}>
              <TextInput
                aria-label={t('settings.mapping.group', 'Group {number}', { number: index + 1 })}
                value={row.key}
                placeholder="cms-editors"
                disabled={locked}
                hasError={Boolean(error) && row.key.trim() === ''}
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => update(index, { ...row, key: event.currentTarget.value })}
              />
            </Box>
            <Box grow={1}>
              <RoleSelect
                label={t('settings.mapping.roles', 'Roles for group {number}', { number: index + 1 })}
                value={row.values}
                roles={roles}
                disabled={locked}
                hasError={Boolean(error) && row.values.length === 0}
                onChange={(values) => update(index, { ...row, values })}
                t={t}
              />
            </Box>
            {locked ? null : (
              <IconButton
                label={t('settings.list.remove', 'Remove {entry}', { entry: row.key || t('settings.mapping.group', 'Group {number}', { number: index + 1 }) })}
                variant="tertiary"
                type="button"
                onClick={() => onChange(value.filter((_, i) => i !== index))}
              >
                <Trash />
              </IconButton>
            )}
          </Flex>
        ))}
        {locked ? null : (
          <Box>
            <Button variant="secondary" size="S" type="button" startIcon={<Plus />} onClick={() => onChange([...value, { key: '', values: [] }])}>
              {t('settings.mapping.add', 'Add a group')}
            </Button>
          </Box>
        )}
      </Flex>
    </InputFrame>
  );
}
