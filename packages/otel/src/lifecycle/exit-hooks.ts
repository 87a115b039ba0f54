import { settleWithin } from './settle-within.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process is about to end, without changing how it ends:
 * - `beforeExit` (the event loop ran dry): flush once, bounded by the timeout.
 * - SIGTERM/SIGINT: flush, bounded; then, if no other listener handles the signal, re-raise it
 *   so the default action (termination) happens exactly as it would have without us. When the
 *   app has its own listeners, exiting stays their call. A second signal during the flush
 *   re-raises at once.
 * Returns the remover.
 */
export function installExitHooks(flush: () => Promise<void>, timeoutMillis: number): () => void {
  let flushedBeforeExit = false;
  const onBeforeExit = () => {
    // Exporting schedules I/O, which would emit beforeExit again: flush only the first time.
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    void settleWithin(flush(), timeoutMillis, 'flush before exit');
  };

  const flushing = new Set<NodeJS.Signals>();
  const reRaise = (signal: NodeJS.Signals) => {
    remove();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (flushing.has(signal)) {
      reRaise(signal);
      return;
    }
    flushing.add(signal);
    void settleWithin(flush(), timeoutMillis, `flush on ${signal}`).then(() => {
      flushing.delete(signal);
      // Only we listen: without us the signal would have terminated the process.
      if (process.listenerCount(signal) === 1) reRaise(signal);
    });
  };

  process.on('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);

  function remove(): void {
    process.off('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  return remove;
}
