import type { ReactNode } from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';

interface CardProps {
  /** The card's `data-section` name. */
  name: string;
  title: string;
  description?: ReactNode;
  /** A button beside the heading. */
  action?: ReactNode;
  /** Id of the heading, which names the section. */
  titleId?: string;
  /** Id of the card itself, as a link target. */
  id?: string;
  children: ReactNode;
}

/** A white card with a heading, as Strapi's own settings pages frame their parts. */
export function Card({ name, title, description, action, titleId = `${name}-title`, id, children }: CardProps) {
  return (
    <Box
      tag="section"
      id={id}
      aria-labelledby={titleId}
      data-section={name}
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
            <Typography variant="delta" tag="h2" id={titleId}>
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
        {children}
      </Flex>
    </Box>
  );
}
