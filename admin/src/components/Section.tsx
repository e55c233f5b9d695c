import type { ReactNode } from 'react';
import { Grid } from '@strapi/design-system';
import { Card } from './Card';

interface SectionProps {
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
  action?: ReactNode;
}

/** A card of settings: its fields on a grid, as Strapi's own settings pages group them. */
export function Section({ id, title, description, children, action }: SectionProps) {
  return (
    <Card name={id} title={title} description={description} action={action}>
      <Grid.Root gap={5}>{children}</Grid.Root>
    </Card>
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
