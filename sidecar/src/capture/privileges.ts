import { accessSync, constants, readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

export interface CapturePrivileges {
  ok: boolean;
  missing: string[];
  message: string;
}

function effectiveCapabilities(): bigint | null {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? BigInt(`0x${match[1]}`) : null;
  } catch {
    return null;
  }
}

const has = (caps: bigint, bit: number) => (caps & (1n << BigInt(bit))) !== 0n;

/**
 * Whether this process may load the capture programs: root, or CAP_BPF + CAP_PERFMON
 * (CAP_SYS_ADMIN implies both on older kernels), plus kernel BTF for CO-RE.
 */
export function checkCapturePrivileges(): CapturePrivileges {
  const missing: string[] = [];
  if (process.platform !== 'linux') {
    return {
      ok: false,
      missing: ['linux'],
      message: `eBPF capture needs Linux (running on ${process.platform})`,
    };
  }
  const caps = effectiveCapabilities();
  if (caps === null) {
    missing.push('readable /proc/self/status');
  } else if (!has(caps, CAP_SYS_ADMIN)) {
    if (!has(caps, CAP_BPF)) missing.push('CAP_BPF');
    if (!has(caps, CAP_PERFMON)) missing.push('CAP_PERFMON');
  }
  try {
    accessSync('/sys/kernel/btf/vmlinux', constants.R_OK);
  } catch {
    missing.push('kernel BTF (/sys/kernel/btf/vmlinux)');
  }
  const message =
    missing.length === 0
      ? 'eBPF capture available'
      : `eBPF capture unavailable: missing ${missing.join(', ')} (run as root or grant CAP_BPF and CAP_PERFMON)`;
  return { ok: missing.length === 0, missing, message };
}
