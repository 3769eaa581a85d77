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

test('a key frame round-trips: labels exactly, confidence to 16 levels, profiles to 1/63, metrics recomputed', () => {
  const f = { ...frame(40, 1), confidenceAge: 3, profileAge: 2 };
  const decoded = decodeFrame(encodeFrame(f));
  expect(Array.from(decoded.labels)).toEqual(Array.from(f.labels));
  // Level round(c/17), decoded as level·17: 200 → 12 → 204, 8 → 0, 9 → 1 → 17, 255 → 15 → 255.
  expect(Array.from(decoded.confidence)).toEqual(Array.from(f.confidence, (c) => 17 * Math.round(c / 17)));
  expect(decoded.confidenceAge).toBe(3);
  expect(decoded.profileAge).toBe(2);
  expect([decoded.width, decoded.height, decoded.classes, decoded.profileSamples, decoded.evaluated]).toEqual([
    128, 128, 10, 8, 9000,
  ]);
  decoded.pointProbabilities.forEach((p, i) =>
    expect(Math.abs(p - f.pointProbabilities[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-7),
  );
  decoded.profiles.forEach((p, i) => expect(Math.abs(p - f.profiles[i]!)).toBeLessThanOrEqual(0.5 / 63 + 1e-7));
  expect(decoded.metrics).toEqual(f.metrics);
});

test('a delta frame decodes against the previous one and counts flips', () => {
  const first = frame(40, 1);
  const second = frame(42, 2);
  const key = encodeFrame(second);
  const delta = encodeFrame(second, first);
  expect(isDelta(delta)).toBe(true);
  expect(isDelta(key)).toBe(false);
  const decoded = decodeFrame(delta, first);
  expect(Array.from(decoded.labels)).toEqual(Array.from(second.labels));
  // The delta decodes to what the key frame decodes to, against the original or the decoded previous frame.
  const fromKey = decodeFrame(key);
  expect(Array.from(decoded.confidence)).toEqual(Array.from(fromKey.confidence));
  expect(Array.from(decoded.profiles)).toEqual(Array.from(fromKey.profiles));
  expect(Array.from(decoded.pointProbabilities)).toEqual(Array.from(fromKey.pointProbabilities));
  const again = decodeFrame(delta, decodeFrame(encodeFrame(first)));
  expect(Array.from(again.confidence)).toEqual(Array.from(fromKey.confidence));
  expect(Array.from(again.profiles)).toEqual(Array.from(fromKey.profiles));
  // Columns 40 and 41 changed from class 0 to 3 on all 128 rows (the grey corner is further left).
  expect(decoded.metrics.flipped).toBe(256);
  expect(() => decodeFrame(delta)).toThrow('a delta-coded frame needs the previous frame of the same slice to decode');
  expect(() => decodeFrame(new Uint8Array([1, 2, 3]))).toThrow(/^not a slicewatch frame \(not deflate data: /);
  // Deflate data that is not a frame: the magic bytes say so.
  expect(() => decodeFrame(deflateSync(new Uint8Array(64).fill(7)))).toThrow(
    'not a slicewatch frame (bad magic bytes)',
  );
});

test('a temporal frame (8 pixels changed, confidence and probabilities carried over) stores in under 100 bytes at 128 × 128', () => {
  const first = frame(40, 1);
  const labels = first.labels.slice();
  const confidence = first.confidence.slice();
  for (let y = 60; y < 68; y++) {
    labels[y * 128 + 39] = 3;
    confidence[y * 128 + 39] = 90;
  }
  const second: Frame = { ...first, labels, confidence, confidenceAge: 1 };
  const delta = encodeFrame(second, first);
  expect(delta.length).toBeLessThan(100);
  const decoded = decodeFrame(delta, first);
  expect(decoded.metrics.flipped).toBe(8);
  expect(decoded.confidence[64 * 128 + 39]).toBe(85);
  expect(decoded.confidenceAge).toBe(1);
});

test('a boundary moving one column codes in a few bits a row', () => {
  const first = frame(40, 1);
  const second = frame(41, 1);
  for (let y = 0; y < 128; y++) second.confidence[y * 128 + 40] = 60;
  const delta = encodeFrame(second, first);
  const decoded = decodeFrame(delta, first);
  expect(decoded.metrics.flipped).toBe(128);
  expect(Array.from(decoded.labels)).toEqual(Array.from(second.labels));
  expect(decoded.confidence[70 * 128 + 40]).toBe(68);
  // 128 changed labels and levels, the probabilities as before: 24 bytes measured (SWF2: 192).
  expect(delta.length).toBeLessThan(32);
});

/** A 4 × 2 frame, 2 classes, 2 profile samples, as the first codec ("SWF1") wrote it before deflate. */
function swf1(delta: boolean, labels: number[], confidence: number[], probabilities: number[]): Uint8Array {
  const header = [0x53, 0x57, 0x46, 0x31, delta ? 1 : 0, 2, 4, 0, 2, 0, 2, 0, 5, 0, 0, 0];
  return deflateSync(Uint8Array.from([...header, ...labels, ...confidence, ...probabilities]));
}

/** An 8 × 6 frame of 3 classes, a grey corner, 2 profile samples; `shift` moves the class-0 boundary right. */
function small(shift: number): Frame {
  const [width, height, classes] = [8, 6, 3];
  const labels = Uint8Array.from({ length: width * height }, (_, p) => {
    const [x, y] = [p % width, Math.floor(p / width)];
    return x + y < 2 ? 255 : x < 3 + shift + (y >> 2) ? 0 : y < 3 ? 1 : 2;
  });
  return {
    width,
    height,
    labels,
    confidence: Uint8Array.from(labels, (l, p) => (l === 255 ? 0 : 120 + ((p * 37) % 130))),
    classes,
    pointProbabilities: Float32Array.from({ length: 9 }, (_, i) => (i % 3) / 2),
    profileSamples: 2,
    profiles: Float32Array.from({ length: 18 }, (_, i) => ((i * 7) % 10) / 9),
    metrics: frameMetrics(labels, width, height, classes),
    evaluated: 40,
    confidenceAge: 2,
    profileAge: 1,
  };
}

/** SWF3 as first written (2026-11-26): any change to the coder or the planes must change the magic bytes. */
const GOLDEN = {
  key: [
    83, 87, 70, 51, 0, 3, 2, 168, 8, 6, 2, 40, 2, 1, 31, 227, 172, 56, 110, 156, 254, 220, 204, 179, 207, 38, 248, 171,
    85, 208, 167, 6, 20, 151, 67, 83, 79, 126, 98, 75, 57, 1, 200, 62, 30, 221, 128, 167, 166, 236, 36, 8, 51, 154, 242,
    196, 54, 58, 69, 114, 100, 200, 239, 141, 60, 141, 240, 232,
  ],
  delta: [83, 87, 70, 51, 1, 3, 224, 127, 8, 6, 2, 40, 2, 1, 206, 244, 130, 112, 152, 37, 129],
};

test('SWF3 is pinned: a key and a delta frame encode to the stored bytes, and the stored bytes decode', () => {
  expect(Array.from(encodeFrame(small(0)))).toEqual(GOLDEN.key);
  expect(Array.from(encodeFrame(small(1), small(0)))).toEqual(GOLDEN.delta);
  const key = decodeFrame(Uint8Array.from(GOLDEN.key));
  const delta = decodeFrame(Uint8Array.from(GOLDEN.delta), key);
  expect(Array.from(delta.labels)).toEqual(Array.from(small(1).labels));
  expect(Array.from(delta.confidence)).toEqual(Array.from(small(1).confidence, (c) => 17 * Math.round(c / 17)));
  // The boundary moved one column: x = 3 on rows 0–3, x = 4 on rows 4–5.
  expect([delta.evaluated, delta.confidenceAge, delta.profileAge, delta.metrics.flipped]).toEqual([40, 2, 1, 6]);
});

test('bad SWF3 input says what is wrong: truncated, decoded on another frame, a label out of range, a bad header', () => {
  const first = frame(40, 1);
  const second = frame(41, 1);
  const key = encodeFrame(first);
  expect(() => decodeFrame(key.subarray(0, key.length - 20))).toThrow('not a slicewatch frame (damaged or truncated)');
  const delta = encodeFrame(second, first);
  expect(() => decodeFrame(delta, frame(60, 1))).toThrow(
    'not a slicewatch frame (damaged, or decoded on another previous frame)',
  );
  const bad = { ...first, labels: first.labels.map((l, i) => (i === 300 ? 12 : l)) };
  expect(() => encodeFrame(bad)).toThrow('cannot encode a frame whose pixel 300 has label 12 (classes 0–9 or 255)');
  // A width of 2,097,151 (over 65,535).
  expect(() => decodeFrame(Uint8Array.from([...GOLDEN.key.slice(0, 8), 0xff, 0xff, 0x7f, 6, 2, 40, 2, 1]))).toThrow(
    'not a slicewatch frame (bad header)',
  );
  expect(() => decodeFrame(Uint8Array.from(GOLDEN.key.slice(0, 9)))).toThrow(
    'not a slicewatch frame (truncated header)',
  );
});

/** A 4 × 2 frame, 2 classes, 2 profile samples, as the second codec ("SWF2") wrote it before deflate (a 20-byte header, two bytes spare). */
function swf2(delta: boolean, labels: number[], levels: number[], points: number[], profiles: number[]): Uint8Array {
  const header = [0x53, 0x57, 0x46, 0x32, delta ? 1 : 0, 2, 4, 0, 2, 0, 2, 0, 5, 0, 0, 0, 3, 1, 0, 0];
  return deflateSync(Uint8Array.from([...header, ...labels, ...levels, ...points, ...profiles]));
}

test('frames stored by the second codec (SWF2) still decode, key and delta', () => {
  const points = [0, 51, 102, 153, 204, 255];
  const profiles = Array.from({ length: 12 }, (_, i) => i * 5);
  const key = decodeFrame(swf2(false, [0, 1, 1, 255, 0, 0, 1, 255], [12, 6, 5, 0, 12, 15, 5, 0], points, profiles));
  expect(Array.from(key.labels)).toEqual([0, 1, 1, 255, 0, 0, 1, 255]);
  expect(Array.from(key.confidence)).toEqual([204, 102, 85, 0, 204, 255, 85, 0]);
  expect([key.width, key.height, key.classes, key.profileSamples, key.evaluated]).toEqual([4, 2, 2, 2, 5]);
  expect([key.confidenceAge, key.profileAge]).toEqual([3, 1]);
  expect(key.pointProbabilities[1]).toBeCloseTo(0.2, 6);
  expect(key.profiles[11]).toBeCloseTo(55 / 63, 6);
  // Delta: labels XOR, levels mod 16 (15 is −1), points mod 256, profiles mod 64 (63 is −1).
  const next = decodeFrame(
    swf2(true, [1, 0, 0, 0, 0, 0, 0, 0], [1, 15, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [63, ...Array(11).fill(0)]),
    key,
  );
  expect(Array.from(next.labels)).toEqual([1, 1, 1, 255, 0, 0, 1, 255]);
  expect(Array.from(next.confidence)).toEqual([221, 85, 85, 0, 204, 255, 85, 0]);
  expect(next.pointProbabilities[0]).toBeCloseTo(1 / 255, 6);
  expect(next.profiles[0]).toBeCloseTo(63 / 63, 6);
  expect(next.metrics.flipped).toBe(1);
});

test('frames stored by the first codec (SWF1) still decode, key and delta', () => {
  const probabilities = Array.from({ length: 6 + 12 }, (_, i) => i * 10);
  const key = decodeFrame(swf1(false, [0, 1, 1, 255, 0, 0, 1, 255], [200, 100, 90, 0, 201, 202, 80, 0], probabilities));
  expect(Array.from(key.labels)).toEqual([0, 1, 1, 255, 0, 0, 1, 255]);
  expect(Array.from(key.confidence)).toEqual([200, 100, 90, 0, 201, 202, 80, 0]);
  expect([key.width, key.height, key.classes, key.profileSamples, key.evaluated, key.confidenceAge]).toEqual([
    4, 2, 2, 2, 5, 0,
  ]);
  expect(key.pointProbabilities[1]).toBeCloseTo(10 / 255, 6);
  expect(key.profiles[0]).toBeCloseTo(60 / 255, 6);
  // Delta: labels XOR, confidence differences mod 256 (255 is −1).
  const next = decodeFrame(swf1(true, [1, 0, 0, 0, 0, 0, 0, 0], [1, 255, 0, 0, 0, 0, 0, 0], probabilities), key);
  expect(Array.from(next.labels)).toEqual([1, 1, 1, 255, 0, 0, 1, 255]);
  expect(Array.from(next.confidence)).toEqual([201, 99, 90, 0, 201, 202, 80, 0]);
  expect(next.metrics.flipped).toBe(1);
});
