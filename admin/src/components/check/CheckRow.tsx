import type { ReactNode } from 'react';
import { Box, Flex, Status, Typography } from '@strapi/design-system';

/** The pieces of the connection check's table: a row per check, a verdict, a detail line, a literal value. */

export type Variant = 'success' | 'danger' | 'warning' | 'neutral' | 'primary';

/** One check: its name on the left, what the server found on the right. */
export function Row({ name, label, children }: { name: string; label: string; children: ReactNode }) {
  return (
    <Flex
      tag="div"
      role="row"
      data-check={name}
      gap={4}
      alignItems="flex-start"
      paddingTop={3}
      paddingBottom={3}
      borderColor="neutral150"
      borderStyle="solid"
      borderWidth="0 0 1px 0"
    >
      <Box width="14rem" shrink={0} role="rowheader">
        <Typography variant="omega" fontWeight="bold" textColor="neutral800">
          {label}
        </Typography>
      </Box>
      <Flex direction="column" alignItems="flex-start" gap={1} role="cell">
        {children}
      </Flex>
    </Flex>
  );
}

export function Verdict({ variant, children }: { variant: Variant; children: ReactNode }) {
  return (
    <Status variant={variant} size="S">
      <Typography variant="omega" fontWeight="bold">
        {children}
      </Typography>
    </Status>
  );
}

export function Detail({ children }: { children: ReactNode }) {
  return (
    <Typography variant="pi" textColor="neutral600">
      {children}
    </Typography>
  );
}

export function Code({ children }: { children: ReactNode }) {
  return (
    <Box tag="code" background="neutral100" paddingLeft={1} paddingRight={1} hasRadius>
      <Typography variant="pi" fontWeight="semiBold" style={{ fontFamily: 'monospace' }}>
        {children}
      </Typography>
    </Box>
  );
}
