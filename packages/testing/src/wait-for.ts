import type { EventEmitter } from 'node:events';

export interface WaitOptions<T> {
  /** Emits 'change' whenever new items were stored. */
  changes: EventEmitter;
  /** A fresh copy of the items stored so far. */
  read: () => T[];
  predicate: (items: T[]) => boolean;
  timeoutMs: number;
  /** Builds the timeout message from what was seen, so a failing test says what arrived instead. */
  describeTimeout: (items: T[], lastPredicateError: unknown) => string;
}

/**
 * Resolves with the stored items as soon as `predicate` holds for them, re-checking on every change
 * rather than on a polling interval. A predicate that throws counts as "not yet" (tests often index
 * into spans that have not arrived); its last error is reported if the wait times out.
 */
export function waitForItems<T>(options: WaitOptions<T>): Promise<T[]> {
  const { changes, read, predicate, timeoutMs, describeTimeout } = options;
  return new Promise((resolve, reject) => {
    let lastPredicateError: unknown;
    const check = (): void => {
      const items = read();
      let satisfied = false;
      try {
        satisfied = predicate(items);
      } catch (error) {
        lastPredicateError = error;
      }
      if (satisfied) {
        stop();
        resolve(items);
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(describeTimeout(read(), lastPredicateError)));
    }, timeoutMs);
    const stop = (): void => {
      clearTimeout(timer);
      changes.off('change', check);
    };
    changes.on('change', check);
    check();
  });
}
