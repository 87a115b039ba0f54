/**
 * Samples the resident memory of the sidecar (its node process) and of its BPF loader child while
 * a run is under way. Steady state is the median of the second half of the samples, after the
 * capture has warmed up; max is the peak of each process. `loaderPid()` is the loader once found.
 */
import { childrenOf, rssBytes } from '../lib/process-tree.mjs';
import { median } from '../lib/stats.mjs';

const LOADER_COMM = 'agentsight-load'; // `agentsight-loader`, truncated to the kernel's 15-char comm

export function sampleSidecarRss(sidecarPid, intervalMs = 200) {
  const samples = { sidecar: [], loader: [], total: [] };
  let loaderPid;
  const timer = setInterval(() => {
    loaderPid ??= childrenOf(sidecarPid).find((child) => child.comm === LOADER_COMM)?.pid;
    const sidecar = rssBytes(sidecarPid);
    if (sidecar === undefined) return;
    const loader = loaderPid === undefined ? 0 : (rssBytes(loaderPid) ?? 0);
    samples.sidecar.push(sidecar);
    samples.loader.push(loader);
    samples.total.push(sidecar + loader);
  }, intervalMs);

  return {
    loaderPid: () => loaderPid,
    stop() {
      clearInterval(timer);
      const summary = (values) => ({
        maxBytes: values.length > 0 ? Math.max(...values) : Number.NaN,
        steadyBytes: median(values.slice(Math.floor(values.length / 2))),
      });
      return {
        loaderFound: loaderPid !== undefined,
        count: samples.total.length,
        sidecar: summary(samples.sidecar),
        loader: summary(samples.loader),
        total: summary(samples.total),
      };
    },
  };
}
