/** Python's round(): halves go to the even neighbour (the reference computes k with it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * How many of `n` positions a WILDCAT k selects (reference `get_positive_k`): k <= 0 -> 0 (term off);
 * 0 < k < 1 -> a fraction, round(k * n) but at least 1; k >= 1 -> a count, capped at n.
 */
export function positionCount(k: number, n: number): number {
  if (!Number.isFinite(k)) throw new Error(`WILDCAT: k must be a finite number, got ${k}`);
  if (k <= 0) return 0;
  if (k < 1) return Math.max(1, roundHalfEven(k * n));
  return Math.min(n, Math.floor(k));
}
