/**
 * Memoizes a pure function of strings that repeat (header names, Host values). The cache empties
 * itself when it reaches `maxEntries`, so input that never repeats cannot grow it without bound.
 * `compute` must not return undefined.
 */
export function memoizeBounded<T>(compute: (key: string) => T, maxEntries: number): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}
