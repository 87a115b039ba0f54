/** The later of two nanosecond timestamps (Math.max does not take bigints). */
export function laterNs(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
