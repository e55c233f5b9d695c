import { Box, Field, Flex, SingleSelect, SingleSelectOption, TextInput } from '@strapi/design-system';
import { ACTIVITY_KINDS } from '../../api';
import { ALL, type Filters } from '../../utils/activity-filters';
import { reasonLabel } from '../../utils/activity-labels';
import type { Translate } from '../../utils/useT';

interface ActivityFiltersProps {
  filters: Filters;
  /** The refusal reasons the period holds. */
  reasons: string[];
  /** Each kind's label. */
  kinds: Record<string, string>;
  set: (key: keyof Filters) => (value: string) => void;
  t: Translate;
}

/** Person, outcome, refusal reason and period of the rows shown. */
export function ActivityFilters({ filters, reasons, kinds, set, t }: ActivityFiltersProps) {
  return (
    <Box background="neutral0" padding={4} hasRadius shadow="tableShadow">
      <Flex gap={4} wrap="wrap" alignItems="flex-end" data-activity="filters">
        <Field.Root name="person" width="18rem">
          <Field.Label>{t('activity.filter.person', 'Person')}</Field.Label>
          <TextInput
            value={filters.person}
            placeholder={t('activity.filter.person.placeholder', 'identity, e-mail or user id')}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('person')(e.target.value)}
          />
        </Field.Root>
        <Field.Root name="kind" width="14rem">
          <Field.Label>{t('activity.filter.kind', 'Outcome')}</Field.Label>
          <SingleSelect value={filters.kind} onChange={(value: string | number) => set('kind')(String(value))}>
            <SingleSelectOption value={ALL}>{t('activity.filter.all', 'All')}</SingleSelectOption>
            {ACTIVITY_KINDS.map((kind) => (
              <SingleSelectOption key={kind} value={kind}>
                {kinds[kind] ?? kind}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Field.Root>
        <Field.Root name="reason" width="14rem">
          <Field.Label>{t('activity.filter.reason', 'Refusal reason')}</Field.Label>
          <SingleSelect value={filters.reason} onChange={(value: string | number) => set('reason')(String(value))}>
            <SingleSelectOption value={ALL}>{t('activity.filter.all', 'All')}</SingleSelectOption>
            {[...new Set([...reasons, ...(filters.reason !== ALL ? [filters.reason] : [])])].map((reason) => (
              <SingleSelectOption key={reason} value={reason}>
                {`${reasonLabel(t, reason)} (${reason})`}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Field.Root>
        <Field.Root name="from" width="14rem">
          <Field.Label>{t('activity.filter.from', 'From')}</Field.Label>
          <TextInput type="date" value={filters.from} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('from')(e.target.value)} />
        </Field.Root>
        <Field.Root name="to" width="14rem">
          <Field.Label>{t('activity.filter.to', 'To')}</Field.Label>
          <TextInput type="date" value={filters.to} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('to')(e.target.value)} />
        </Field.Root>
      </Flex>
    </Box>
  );
}
