/**
 * Groups → Strapi roles (NetBox's REMOTE_AUTH_GROUP_SYNC, Grafana's auth
 * proxy headers). Group names match case-insensitively; a pattern may use `*`
 * as a wildcard ("cms-*"). Role references are codes or names, resolved to
 * real roles by the accounts adapter.
 */
export type GroupRoles = Readonly<Record<string, readonly string[]>>;

export interface RoleMapping {
  /** Role references the groups map to, without duplicates, in mapping order. */
  readonly roles: readonly string[];
  /** Groups that matched no pattern (logged, otherwise ignored). */
  readonly unmatched: readonly string[];
}

/** ASCII-only case folding: Unicode rules would fold the Kelvin sign onto "k" (T9). */
const fold = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Glob match with `*` only, in linear-ish time (no regular expression, so no
 * catastrophic backtracking on long group names, and `*` matches every
 * character, line separators included).
 */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function groupMatches(pattern: string, group: string): boolean {
  const wanted = fold(pattern);
  const actual = fold(group);
  return pattern.includes('*') ? globMatch(wanted, actual) : wanted === actual;
}

export function mapGroups(groups: readonly string[], mapping: GroupRoles): RoleMapping {
  const roles: string[] = [];
  const unmatched: string[] = [];
  for (const group of groups) {
    let matched = false;
    for (const [pattern, targets] of Object.entries(mapping)) {
      if (!groupMatches(pattern, group)) continue;
      matched = true;
      for (const role of targets) if (!roles.includes(role)) roles.push(role);
    }
    if (!matched) unmatched.push(group);
  }
  return { roles, unmatched };
}

export const inAnyGroup = (groups: readonly string[], patterns: readonly string[]): boolean =>
  groups.some((group) => patterns.some((pattern) => groupMatches(pattern, group)));
