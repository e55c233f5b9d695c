import { isFetchError } from '@strapi/strapi/admin';
import type { ValidationIssue } from '../api';

/** What went wrong with a request, as the server said it (its error message) or else the error's own. */
export function messageOf(error: unknown): string {
  if (isFetchError(error)) return error.response?.data?.error?.message ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The per-field issues of a refused settings update, when the server listed them. */
export function issuesOf(error: unknown): ValidationIssue[] | undefined {
  if (!isFetchError(error)) return undefined;
  const details = error.response?.data?.error?.details as { errors?: ValidationIssue[] } | undefined;
  return Array.isArray(details?.errors) ? details.errors : undefined;
}
