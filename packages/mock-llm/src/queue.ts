import { isFault, validateFault } from './faults.js';
import type { Fault, QueueItem, Reply } from './types.js';

/** FIFO of scripted replies and faults, shared by all connections of one server. */
export class ReplyQueue {
  private readonly items: QueueItem[] = [];

  push(items: QueueItem[]): void {
    this.items.push(...items.map((item) => (isFault(item) ? validateFault(item) : item)));
  }

  /**
   * One request takes at most one fault and one reply. `status` and `reset` faults end the
   * request, so a reply queued after them stays for the retry; the shaping faults
   * (`slow-first-byte`, `reset-mid-stream`) take the reply queued right after them. A fault from
   * the `x-mock-fault` header stands in for a queued one.
   */
  take(headerFault: Fault | undefined, acceptsReply: boolean): { fault?: Fault; reply?: Reply } {
    const head = this.items[0];
    const fault = headerFault ?? (head && isFault(head) ? (this.items.shift() as Fault) : undefined);
    if (fault?.fault === 'status' || fault?.fault === 'reset' || !acceptsReply) return { fault };
    const next = this.items[0];
    return { fault, reply: next && !isFault(next) ? (this.items.shift() as Reply) : undefined };
  }
}
