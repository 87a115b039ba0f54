/**
 * Converts the kernel's CLOCK_MONOTONIC timestamps (bpf_ktime_get_ns) to Unix epoch ns.
 * The loader reports realtime − monotonic at start and with every stats record, so NTP
 * steps are picked up; until the first report, Node's own clocks give a ms-precise estimate
 * (process.hrtime uses CLOCK_MONOTONIC on Linux).
 */
export class EpochClock {
  private realtimeMinusMonotonicNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

  update(realtimeMinusMonotonicNs: bigint): void {
    this.realtimeMinusMonotonicNs = realtimeMinusMonotonicNs;
  }

  readonly toEpochNs = (monotonicNs: bigint): bigint => monotonicNs + this.realtimeMinusMonotonicNs;
}
