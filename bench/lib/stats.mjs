/** Order statistics over timing samples. Inputs are plain number arrays (nanoseconds unless stated). */

function sorted(values) {
  return Float64Array.from(values).sort();
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const ordered = sorted(values);
  const rank = Math.ceil((p / 100) * ordered.length) - 1;
  return ordered[Math.min(ordered.length - 1, Math.max(0, rank))];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const ordered = sorted(values);
  const middle = ordered.length >> 1;
  return ordered.length % 2 === 1 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2;
}
