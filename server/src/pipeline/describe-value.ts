/** A value as an error message quotes it: `"text"`, `null`, `an array`, or its type. */
export const describeValue = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `"${value}"` : typeof value;
