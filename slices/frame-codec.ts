import { deflateSync, inflateSync } from 'fflate';
import type { Frame } from './frame.js';
import { frameMetrics, type FrameMetrics } from './metrics.js';

/**
 * The stored form of a frame, decoded identically by the server and the browser (pure
 * JavaScript, fflate for deflate). Layout before deflate, little-endian ("SWF2", written now):
 *
 *   "SWF2" | u8 flags (bit 0: delta against the previous frame) | u8 classes | u16 width |
 *   u16 height | u16 profile samples | u32 evaluated | u8 confidence age | u8 profile age (20 bytes) |
 *   labels (w·h bytes; with delta, XOR with the previous labels) |
 *   confidence levels (w·h bytes, round(c/17) in 0–15; with delta, the difference mod 16) |
 *   point probabilities (3·classes bytes, round(p·255); with delta, the difference mod 256) |
 *   profiles (3·samples·classes bytes, round(p·63); with delta, the difference mod 64)
 *
 * Confidence is kept to 16 levels (decoded as level·17, within 8.5/255 of the evaluated value)
 * and the profiles to 1/63, and both are delta-coded, because a temporally evaluated frame
 * leaves almost every pixel, and a training step most profile values, as they were: the deltas
 * are nearly all zero and deflate to little. The older "SWF1" frames (16-byte header without the
 * age, confidence in 8 bits, probabilities in 8 bits, only the pixels delta-coded) still decode.
 * Metrics are not stored: they are recomputed from the labels on decode.
 */
const SWF1 = [0x53, 0x57, 0x46, 0x31];
const SWF2 = [0x53, 0x57, 0x46, 0x32];
const HEADER = { 1: 16, 2: 20 } as const;

/** Confidence levels, profile levels and point-probability levels of SWF2. */
const LEVELS = { confidence: 15, profile: 63, point: 255 } as const;

const level = (p: number, levels: number) => Math.max(0, Math.min(levels, Math.round(p * levels)));
const confidenceLevel = (c: number) => Math.round(c / 17);

/** The previous frame of the slice that a delta-coded frame refers to (a decoded Frame will do). */
export interface FramePixels {
  labels: Uint8Array;
  confidence: Uint8Array;
  /** Needed to decode an SWF2 delta frame, whose probabilities are delta-coded too. */
  pointProbabilities?: Float32Array;
  profiles?: Float32Array;
}

/** Encodes a frame (SWF2), as a delta against `previous` when it has the same size and layout. */
export function encodeFrame(frame: Frame, previous?: FramePixels): Uint8Array {
  const n = frame.width * frame.height;
  const delta =
    previous !== undefined &&
    previous.labels.length === n &&
    previous.pointProbabilities?.length === frame.pointProbabilities.length &&
    previous.profiles?.length === frame.profiles.length;
  const raw = new Uint8Array(HEADER[2] + 2 * n + frame.pointProbabilities.length + frame.profiles.length);
  const view = new DataView(raw.buffer);
  raw.set(SWF2, 0);
  raw[4] = delta ? 1 : 0;
  raw[5] = frame.classes;
  view.setUint16(6, frame.width, true);
  view.setUint16(8, frame.height, true);
  view.setUint16(10, frame.profileSamples, true);
  view.setUint32(12, frame.evaluated, true);
  raw[16] = Math.min(255, frame.confidenceAge ?? 0);
  raw[17] = Math.min(255, frame.profileAge ?? 0);
  let o = HEADER[2];
  for (let i = 0; i < n; i++) {
    raw[o + i] = delta ? frame.labels[i]! ^ previous.labels[i]! : frame.labels[i]!;
    const c = confidenceLevel(frame.confidence[i]!);
    raw[o + n + i] = delta ? (c - confidenceLevel(previous.confidence[i]!)) & 15 : c;
  }
  o += 2 * n;
  const put = (values: Float32Array, before: Float32Array | undefined, levels: number) => {
    for (let i = 0; i < values.length; i++) {
      const q = level(values[i]!, levels);
      raw[o++] = before ? (q - level(before[i]!, levels)) & levels : q;
    }
  };
  put(frame.pointProbabilities, delta ? previous.pointProbabilities : undefined, LEVELS.point);
  put(frame.profiles, delta ? previous.profiles : undefined, LEVELS.profile);
  return deflateSync(raw, { level: 9 });
}

function inflate(encoded: Uint8Array): { raw: Uint8Array; version: 1 | 2 } {
  let raw: Uint8Array;
  try {
    raw = inflateSync(encoded);
  } catch (error) {
    throw new Error(`not a slicewatch frame (not deflate data: ${(error as Error).message})`, { cause: error });
  }
  const is = (magic: number[]) => magic.every((b, i) => raw[i] === b);
  if (is(SWF2)) return { raw, version: 2 };
  if (is(SWF1)) return { raw, version: 1 };
  throw new Error('not a slicewatch frame (bad magic bytes)');
}

/** Whether an encoded frame needs the previous frame's pixels to decode. */
export function isDelta(encoded: Uint8Array): boolean {
  return (inflate(encoded).raw[4]! & 1) === 1;
}

/** Decodes a frame written by encodeFrame (SWF2) or by earlier versions (SWF1); a delta frame needs the previous frame. */
export function decodeFrame(encoded: Uint8Array, previous?: FramePixels): Frame {
  const { raw, version } = inflate(encoded);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const delta = (raw[4]! & 1) === 1;
  const classes = raw[5]!;
  const width = view.getUint16(6, true);
  const height = view.getUint16(8, true);
  const profileSamples = view.getUint16(10, true);
  const evaluated = view.getUint32(12, true);
  const n = width * height;
  const probabilityCount = { point: 3 * classes, profile: 3 * profileSamples * classes };
  if (
    delta &&
    (previous === undefined ||
      previous.labels.length !== n ||
      (version === 2 &&
        (previous.pointProbabilities?.length !== probabilityCount.point ||
          previous.profiles?.length !== probabilityCount.profile)))
  ) {
    throw new Error('a delta-coded frame needs the previous frame of the same slice to decode');
  }
  const labels = new Uint8Array(n);
  const confidence = new Uint8Array(n);
  let o = HEADER[version];
  for (let i = 0; i < n; i++) {
    labels[i] = delta ? raw[o + i]! ^ previous!.labels[i]! : raw[o + i]!;
    const c = raw[o + n + i]!;
    if (version === 1) confidence[i] = delta ? (c + previous!.confidence[i]!) & 255 : c;
    else confidence[i] = 17 * (delta ? (c + confidenceLevel(previous!.confidence[i]!)) & 15 : c);
  }
  o += 2 * n;
  const take = (count: number, before: Float32Array | undefined, levels: number) =>
    Float32Array.from({ length: count }, (_, i) => {
      const q = raw[o++]!;
      return (before ? (q + level(before[i]!, levels)) & levels : q) / levels;
    });
  const v2 = version === 2 && delta;
  const pointProbabilities = take(probabilityCount.point, v2 ? previous!.pointProbabilities : undefined, LEVELS.point);
  const profiles = take(
    probabilityCount.profile,
    v2 ? previous!.profiles : undefined,
    version === 2 ? LEVELS.profile : 255,
  );
  let flipped = 0;
  if (previous !== undefined && previous.labels.length === n) {
    for (let i = 0; i < n; i++) if (labels[i] !== 255 && labels[i] !== previous.labels[i]) flipped++;
  }
  let metrics: FrameMetrics | undefined;
  return {
    width,
    height,
    labels,
    confidence,
    classes,
    pointProbabilities,
    profileSamples,
    profiles,
    // Measured on first use (areas and components cost more than the decode, and the dashboard
    // draws frames without reading them); flips need the previous frame, so they are counted now.
    get metrics(): FrameMetrics {
      return (metrics ??= { ...frameMetrics(labels, width, height, classes), flipped });
    },
    evaluated,
    confidenceAge: version === 2 ? raw[16]! : 0,
    profileAge: version === 2 ? raw[17]! : 0,
  };
}
