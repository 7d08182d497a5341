/**
 * Score thresholds and histogram bin edges of the reference PxAP (wsolevaluation `MaskEvaluator`).
 *
 * The reference builds `np.arange(0, 1, step)`: numpy sizes it `ceil((1 - 0) / step)` and fills it with the float64
 * products `k * step`. `k * step` (not `k / 1000`) reproduces those values bit for bit: e.g. `9 * 0.001` is
 * 0.009000000000000001. The right edges append 1.0, 2.0, 3.0, so there are `thresholds.length + 2` bins.
 */

export const DEFAULT_STEP = 0.001;
/** Finer steps would mean millions of bins; the bin-index arithmetic relies on v / step <= 1e6. */
export const MIN_STEP = 1e-6;

/** Validates a threshold step (the reference's `cam_curve_interval`). */
export function checkStep(step: number): number {
  if (typeof step !== 'number' || !Number.isFinite(step) || step < MIN_STEP || step > 1) {
    throw new RangeError(`PxAP step must be a number in [${MIN_STEP}, 1], got ${String(step)}`);
  }
  return step;
}

/** `np.arange(0, 1, step)` as float64: t_k = k * step for k = 0 .. ceil(1 / step) - 1. */
export function camThresholds(step: number = DEFAULT_STEP): Float64Array {
  checkStep(step);
  const n = Math.ceil(1 / step);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = k * step;
  return out;
}

/** Histogram edges: thresholds followed by 1.0, 2.0, 3.0 (reference `threshold_list_right_edge`). */
export function binEdges(step: number = DEFAULT_STEP): Float64Array {
  const t = camThresholds(step);
  const edges = new Float64Array(t.length + 3);
  edges.set(t);
  edges[t.length] = 1.0;
  edges[t.length + 1] = 2.0;
  edges[t.length + 2] = 3.0;
  return edges;
}
