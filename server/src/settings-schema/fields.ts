/**
 * Field types for the settings schema. Each field knows its default, how to
 * check a value (throwing a TypeError whose message completes the sentence
 * "<key> …"), and how the admin form should present it.
 */
import { describeValue } from '../pipeline/describe-value';
import type { FieldKind } from '../../../shared/contracts/settings';

export type { FieldKind };

export interface Field<T> {
  readonly kind: FieldKind;
  readonly default: T;
  readonly help: string;
  readonly choices?: readonly string[];
  /** kind 'number': the smallest and largest accepted values (integers). */
  readonly min?: number;
  readonly max?: number;
  check(value: unknown): T;
}

export function boolean(defaultValue: boolean, help: string): Field<boolean> {
  return {
    kind: 'boolean',
    default: defaultValue,
    help,
    check(value) {
      if (typeof value !== 'boolean') throw new TypeError(`must be true or false, got ${describeValue(value)}`);
      return value;
    },
  };
}

export function choice<C extends string>(choices: readonly C[], defaultValue: C, help: string): Field<C> {
  return {
    kind: 'choice',
    default: defaultValue,
    help,
    choices,
    check(value) {
      if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
        throw new TypeError(`must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describeValue(value)}`);
      }
      return value as C;
    },
  };
}

export function text<T extends string | null>(
  defaultValue: T,
  help: string,
  validate: (value: string) => string | null = () => null,
): Field<T> {
  return {
    kind: 'text',
    default: defaultValue,
    help,
    check(value) {
      if (value === null || value === undefined || value === '') {
        if (defaultValue === null) return null as T;
        throw new TypeError('must not be empty');
      }
      if (typeof value !== 'string') throw new TypeError(`must be a string, got ${describeValue(value)}`);
      const problem = validate(value);
      if (problem) throw new TypeError(problem);
      return value as T;
    },
  };
}

/** A whole number between `min` and `max`; the admin form shows a number input. */
export function integer(defaultValue: number, help: string, min: number, max: number): Field<number> {
  return {
    kind: 'number',
    default: defaultValue,
    help,
    min,
    max,
    check(value) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new TypeError(`must be a whole number from ${min} to ${max}, got ${typeof value === 'number' ? value : describeValue(value)}`);
      }
      return value;
    },
  };
}

/** A whole number, or null for "off". */
export function optionalInteger(help: string, min: number, max: number): Field<number | null> {
  const whole = integer(min, help, min, max);
  return { ...whole, default: null, check: (value) => (value === null ? null : whole.check(value)) };
}

export function list(defaultValue: readonly string[], help: string, validate?: (value: readonly string[]) => void): Field<string[]> {
  return {
    kind: 'list',
    default: [...defaultValue],
    help,
    check(value) {
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        throw new TypeError(`must be a list of strings, got ${describeValue(value)}`);
      }
      validate?.(value);
      return [...value];
    },
  };
}

/** `{ "<key>": ["<value>", …] }`, e.g. group → roles. */
export function mapping(help: string): Field<Record<string, string[]>> {
  return {
    kind: 'mapping',
    default: {},
    help,
    check(value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TypeError(`must be an object like { "cms-editors": ["strapi-editor"] }, got ${describeValue(value)}`);
      }
      const result: Record<string, string[]> = {};
      for (const [key, targets] of Object.entries(value as Record<string, unknown>)) {
        if (key.trim() === '') throw new TypeError('must not have an empty group name');
        if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== 'string' || t.trim() === '')) {
          throw new TypeError(`"${key}" must map to a non-empty list of role codes or names`);
        }
        result[key] = [...(targets as string[])];
      }
      return result;
    },
  };
}

export interface SecretHeader {
  readonly header: string;
  readonly value: string;
}

/** `{ header, value }` or null; the value is write-only (never returned by the API, never logged). */
export function secretHeader(help: string, checkHeader: (name: string) => string | null): Field<SecretHeader | null> {
  return {
    kind: 'secret',
    default: null,
    help,
    check(value) {
      if (value === null || value === undefined) return null;
      if (typeof value !== 'object' || Array.isArray(value)) {
        // Never echo the value: it may be the secret itself.
        throw new TypeError(`must be null or { header, value }, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
      const { header, value: secret, ...rest } = value as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) throw new TypeError(`has unknown key "${extra[0]}" (expected { header, value })`);
      if (typeof header !== 'string') throw new TypeError('.header must be a header name, e.g. "X-Proxy-Secret"');
      const problem = checkHeader(header);
      if (problem) throw new TypeError(`.header ${problem}`);
      if (secret === undefined || secret === null || secret === '') {
        throw new TypeError(
          ".value is missing: it usually comes from an environment variable, e.g. value: env('REMOTE_AUTH_SECRET') with " +
            'REMOTE_AUTH_SECRET set to a long random string in .env; set it there (or remove sharedSecret)',
        );
      }
      if (typeof secret !== 'string' || secret.length < 16) {
        throw new TypeError('.value must be a string of at least 16 characters (use a long random value)');
      }
      return { header, value: secret };
    },
  };
}

export function hook<F extends (...args: never[]) => unknown>(help: string): Field<F | null> {
  return {
    kind: 'hook',
    default: null,
    help,
    check(value) {
      if (value === null || value === undefined) return null;
      if (typeof value !== 'function') throw new TypeError(`must be a function, got ${describeValue(value)}`);
      return value as F;
    },
  };
}
