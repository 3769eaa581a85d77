/**
 * TensorBoard's scalar smoothing: an exponential moving average with a debiasing term, so the
 * first points are not pulled toward the zero the average starts from (TensorBoard #610/#639).
 */

/**
 * The smoothed series: s_i = m_i / (1 − w^n_i), where m_i = w·m_{i−1} + (1 − w)·v_i from m = 0 and
 * n_i counts the finite values so far. Non-finite values pass through and do not move the average;
 * weight 0 returns the values; a constant series stays constant.
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`invalid smoothing weight: ${weight}; expected 0 ≤ w < 1`);
  const out = new Float64Array(values.length);
  let mean = 0;
  let debias = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    mean = weight * mean + (1 - weight) * v;
    // w^n below 1e-300 is 0 to the sum, and computing with subnormal numbers is slow.
    debias = debias < 1e-300 ? 0 : debias * weight;
    out[i] = mean / (1 - debias);
  }
  return out;
}
