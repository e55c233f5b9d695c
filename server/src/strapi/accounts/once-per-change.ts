/** Remembers the last value per key, so a repeated condition is logged once per change, not once per request. */
export function oncePerChange() {
  const seen = new Map<string, string>();
  return (key: string, value: string): boolean => {
    if (seen.get(key) === value) return false;
    if (seen.size > 10_000) seen.clear();
    seen.set(key, value);
    return true;
  };
}
