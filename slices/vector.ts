/** A vector of the input space R^d: a typed array or a plain array of numbers. */
export type Vector = ArrayLike<number>;

export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

export function norm(x: ArrayLike<number>): number {
  return Math.sqrt(dot(x, x));
}

/** x − y. */
export function sub(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - y[i]!;
  return out;
}

/** x + k·y. */
export function addScaled(x: ArrayLike<number>, k: number, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + k * y[i]!;
  return out;
}

export function scale(x: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = k * x[i]!;
  return out;
}
