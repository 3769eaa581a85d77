import { deflateSync } from 'fflate';
import { expect, test } from 'vitest';
import { createRng } from '../../core/rng.js';
import type { Frame } from '../../slices/frame.js';
import { decodeFrame, encodeFrame, isDelta } from '../../slices/frame-codec.js';
import { frameMetrics } from '../../slices/metrics.js';

/** A 128×128 frame: three class regions split at columns `cut` and 90, grey corners, smooth confidence. */
function frame(cut: number, seed: number): Frame {
  const width = 128;
  const height = 128;
  const labels = new Uint8Array(width * height);
  const confidence = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      labels[p] = x + y < 20 ? 255 : x < cut ? 0 : x < 90 ? 3 : 7;
      confidence[p] = labels[p] === 255 ? 0 : 128 + Math.round(120 * Math.sin((x + seed) / 20) * Math.cos(y / 30));
    }
  }
  const rng = createRng(seed);
  return {
    width,
    height,
    labels,
    confidence,
    classes: 10,
    pointProbabilities: Float32Array.from({ length: 30 }, () => rng.next()),
    profileSamples: 8,
    profiles: Float32Array.from({ length: 3 * 8 * 10 }, () => rng.next()),
    metrics: frameMetrics(labels, width, height, 10),
    evaluated: 9000,
  };
}

test('a key frame round-trips: pixels exactly, probabilities to 1/255, metrics recomputed', () => {
  const f = frame(40, 1);
  const decoded = decodeFrame(encodeFrame(f));
  expect(Array.from(decoded.labels)).toEqual(Array.from(f.labels));
  expect(Array.from(decoded.confidence)).toEqual(Array.from(f.confidence));
  expect([decoded.width, decoded.height, decoded.classes, decoded.profileSamples, decoded.evaluated]).toEqual([
    128, 128, 10, 8, 9000,
  ]);
  decoded.pointProbabilities.forEach((p, i) =>
    expect(Math.abs(p - f.pointProbabilities[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-7),
  );
  decoded.profiles.forEach((p, i) => expect(Math.abs(p - f.profiles[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-7));
  expect(decoded.metrics).toEqual(f.metrics);
});

test('a delta frame decodes against the previous one, counts flips, and is smaller', () => {
  const first = frame(40, 1);
  const second = frame(42, 2);
  const key = encodeFrame(second);
  const delta = encodeFrame(second, first);
  expect(isDelta(delta)).toBe(true);
  expect(isDelta(key)).toBe(false);
  const decoded = decodeFrame(delta, first);
  expect(Array.from(decoded.labels)).toEqual(Array.from(second.labels));
  expect(Array.from(decoded.confidence)).toEqual(Array.from(second.confidence));
  // Columns 40 and 41 changed from class 0 to 3 on all 128 rows (the grey corner is further left).
  expect(decoded.metrics.flipped).toBe(256);
  expect(delta.length).toBeLessThan(key.length);
  expect(() => decodeFrame(delta)).toThrow('a delta-coded frame needs the previous frame of the same slice to decode');
  expect(() => decodeFrame(new Uint8Array([1, 2, 3]))).toThrow(/^not a slicewatch frame \(not deflate data: /);
  // Deflate data that is not a frame: the magic bytes say so.
  expect(() => decodeFrame(deflateSync(new Uint8Array(64).fill(7)))).toThrow(
    'not a slicewatch frame (bad magic bytes)',
  );
});
