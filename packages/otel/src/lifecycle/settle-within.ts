import { reportOnce } from '../internal/diag.js';

/**
 * Waits for `work` at most `timeoutMillis`; never rejects. Telemetry must not hold up an app
 * that is flushing or shutting down, so failures and timeouts are reported, not thrown. The
 * timer is unref'd: it never keeps a process alive on its own.
 */
export async function settleWithin(
  work: Promise<unknown>,
  timeoutMillis: number,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMillis);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout')
      reportOnce(`timeout:${what}`, `${what} did not finish within ${timeoutMillis} ms`);
  } catch (error) {
    reportOnce(`failed:${what}`, `${what} failed`, error);
  } finally {
    clearTimeout(timer);
  }
}
