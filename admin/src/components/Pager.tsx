import { Button, Flex, Typography } from '@strapi/design-system';
import { ArrowLeft, ArrowRight } from '@strapi/icons';

interface PagerProps {
  page: number;
  pageCount: number;
  onPage: (page: number) => void;
  /** Where the reader is ("Page 2 of 5 …"). */
  status: string;
  previousLabel: string;
  nextLabel: string;
  /**
   * `summary`: the status on the left, arrowed buttons on the right, shown even for one page (a log, whose count matters).
   * `compact`: previous, status, next on the right, only when there is more than one page (a list under a card).
   */
  layout: 'summary' | 'compact';
  /** `data-*` marks for the row. */
  marks?: Record<`data-${string}`, string>;
}

/** Previous and next through a list the server pages. */
export function Pager({ page, pageCount, onPage, status, previousLabel, nextLabel, layout, marks }: PagerProps) {
  if (layout === 'compact' && pageCount <= 1) return null;
  const summary = layout === 'summary';
  const previous = (
    <Button variant="tertiary" size="S" startIcon={summary ? <ArrowLeft /> : undefined} disabled={page <= 1} onClick={() => onPage(page - 1)}>
      {previousLabel}
    </Button>
  );
  const next = (
    <Button variant="tertiary" size="S" endIcon={summary ? <ArrowRight /> : undefined} disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
      {nextLabel}
    </Button>
  );
  if (summary) {
    return (
      <Flex justifyContent="space-between" paddingTop={4} {...marks}>
        <Typography variant="pi" textColor="neutral600">
          {status}
        </Typography>
        <Flex gap={2}>
          {previous}
          {next}
        </Flex>
      </Flex>
    );
  }
  return (
    <Flex gap={2} justifyContent="flex-end" paddingTop={3} {...marks}>
      {previous}
      <Typography variant="pi">{status}</Typography>
      {next}
    </Flex>
  );
}
