/**
 * The probability profiles of a frame (the paper's Figure 7) as chart lines: a→b, b→c and c→a laid
 * end to end on x from 0 to 3, so x = 0, 1, 2, 3 are a, b, c and a again.
 */

/** The part of a Frame the profiles need. */
export interface ProfileFrame {
  classes: number;
  /** Samples per segment, both ends included. */
  profileSamples: number;
  /** 3 × profileSamples × classes probabilities, segment-major, then sample, then class. */
  profiles: ArrayLike<number>;
}

export interface ProfilePoint {
  x: number;
  y: number;
}

/** The tick labels at x = 0, 1, 2, 3. */
export const PROFILE_TICKS = ['a', 'b', 'c', 'a'] as const;

/**
 * One line per class: its probability at sample k of segment s at x = s + k / (samples − 1)
 * (x = s for a single sample). Each segment's ends meet the next one's at the shared point.
 */
export function profileLines(frame: ProfileFrame): ProfilePoint[][] {
  const { classes, profileSamples: n, profiles } = frame;
  if (profiles.length !== 3 * n * classes)
    throw new RangeError(`invalid profiles: ${profiles.length} values; expected 3 × ${n} × ${classes}`);
  return Array.from({ length: classes }, (_, c) => {
    const line: ProfilePoint[] = [];
    for (let s = 0; s < 3; s++) {
      for (let k = 0; k < n; k++)
        line.push({ x: s + (n === 1 ? 0 : k / (n - 1)), y: profiles[(s * n + k) * classes + c]! });
    }
    return line;
  });
}
