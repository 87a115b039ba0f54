import { cpus, release } from 'node:os';

/** One line naming where the figures came from: date, CPU, cores, kernel, Node. */
export function machineLine() {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${new Date().toISOString()} · ${cpu} · ${cpus().length} cores · Linux ${release()} · Node ${process.version}`;
}
