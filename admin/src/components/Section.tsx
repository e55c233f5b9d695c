import type { ReactNode } from 'react';
import { Box, Flex, Grid, Typography } from '@strapi/design-system';

interface SectionProps {
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
  action?: ReactNode;
}

/** A white card with a heading, as Strapi's own settings pages group their fields. */
export function Section({ id, title, description, children, action }: SectionProps) {
  return (
    <Box
      tag="section"
      aria-labelledby={`${id}-title`}
      data-section={id}
      background="neutral0"
      hasRadius
      shadow="filterShadow"
      paddingTop={6}
      paddingBottom={6}
      paddingLeft={7}
      paddingRight={7}
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={4}>
          <Flex direction="column" alignItems="stretch" gap={1}>
            <Typography variant="delta" tag="h2" id={`${id}-title`}>
              {title}
            </Typography>
            {description ? (
              <Typography variant="pi" textColor="neutral600">
                {description}
              </Typography>
            ) : null}
          </Flex>
          {action}
        </Flex>
        <Grid.Root gap={5}>{children}</Grid.Root>
      </Flex>
    </Box>
  );
}

/** Half the card on wide screens, the full width on narrow ones. */
export function Cell({ children, full = false }: { children: ReactNode; full?: boolean }) {
  return (
    <Grid.Item col={full ? 12 : 6} s={12} direction="column" alignItems="stretch">
      {children}
    </Grid.Item>
  );
}
