/**
 * Prints result tables as GitHub markdown (in the layout biome formats markdown to), so a run's output
 * can be pasted into docs/benchmarks.md as is.
 */

/**
 * @param {string[]} header column titles
 * @param {Array<Array<string|number>>} rows cells, already formatted
 */
export function markdownTable(header, rows) {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

export function printSection(title, body) {
  process.stdout.write(`\n### ${title}\n\n${body}\n`);
}

/** Fixed-precision number, or '—' when the figure could not be measured. */
export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

export function signed(value, digits = 1) {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** 'yes'/'NO' against a target; '—' when there is no figure. */
export function verdict(ok) {
  if (ok === undefined) return '—';
  return ok ? 'yes' : 'NO';
}

/** A message that must not be missed in a long output, e.g. a part of a benchmark that did not run. */
export function printBanner(message) {
  const bar = '!'.repeat(100);
  process.stdout.write(`\n${bar}\n!! ${message}\n${bar}\n`);
}
