import { Flex, Status, Typography } from '@strapi/design-system';
import type { Translate } from '../../utils/useT';

/** A hook is code: the panel can only say whether config/plugins has one. */
export function HookStatus({ name, label, configured, hint, t }: { name: string; label: string; configured: boolean; hint: string; t: Translate }) {
  return (
    <Flex direction="column" alignItems="stretch" gap={1} data-field={name} data-hook={configured ? 'configured' : 'none'}>
      <Typography variant="pi" fontWeight="bold" textColor="neutral800">
        {label}
      </Typography>
      <Flex>
        <Status variant={configured ? 'primary' : 'neutral'} size="S">
          <Typography variant="omega" fontWeight="bold">
            {configured
              ? t('settings.hooks.configured', 'Configured in config/plugins')
              : t('settings.hooks.none', 'Not configured')}
          </Typography>
        </Status>
      </Flex>
      <Typography variant="pi" textColor="neutral600">
        {hint}
      </Typography>
    </Flex>
  );
}
