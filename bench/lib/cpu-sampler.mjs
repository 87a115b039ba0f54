/**
 * Samples the CPU time of a few processes over a run, so the CPU they spent inside a time window
 * (the load client's counting window, after start-up and attach) can be read afterwards.
 */
import { cpuMicros } from './process-tree.mjs';

/** `pidsOf()` names the processes to sample now (a pid may be undefined until it is known). */
export function sampleCpu(pidsOf, intervalMs = 50) {
  const samples = [];
  const take = () => {
    const values = {};
    for (const [name, pid] of Object.entries(pidsOf())) {
      const micros = pid === undefined ? undefined : cpuMicros(pid);
      if (micros !== undefined) values[name] = micros;
    }
    samples.push({ ms: Date.now(), values });
  };
  take();
  const timer = setInterval(take, intervalMs);

  /** The process's CPU µs at wall time `ms`, interpolated between the samples around it. */
  const at = (name, ms) => {
    const known = samples.filter((s) => s.values[name] !== undefined);
    if (known.length === 0) return Number.NaN;
    const after = known.findIndex((s) => s.ms >= ms);
    // Before the first sample or after the last: the nearest one (the process had not started or
    // had already exited, so its CPU time was not moving).
    if (after === 0) return known[0].values[name];
    if (after === -1) return known[known.length - 1].values[name];
    const a = known[after - 1];
    const b = known[after];
    return a.values[name] + ((b.values[name] - a.values[name]) * (ms - a.ms)) / (b.ms - a.ms);
  };

  return {
    stop() {
      clearInterval(timer);
      take();
      return { between: (name, fromMs, toMs) => at(name, toMs) - at(name, fromMs) };
    },
  };
}
