import { deflateSync, inflateSync } from 'fflate';
import type { Frame } from './frame.js';
import { frameMetrics } from './metrics.js';

/**
 * The stored form of a frame, decoded identically by the server and the browser (pure
 * JavaScript, fflate for deflate). Layout before deflate, little-endian:
 *
 *   "SWF1" | u8 flags (bit 0: delta against the previous frame) | u8 classes | u16 width |
 *   u16 height | u16 profile samples | u32 evaluated (16 bytes) |
 *   labels (w·h bytes; with delta, XOR with the previous labels) |
 *   confidence (w·h bytes; with delta, byte difference from the previous confidence, mod 256) |
 *   point probabilities (3·classes u8, p·255 rounded) | profiles (3·samples·classes u8, p·255 rounded)
 *
 * Probabilities are quantised to 1/255 in storage, like the confidence. Metrics are not stored:
 * they are recomputed from the labels on decode (flips need the previous frame, as the delta does).
 */
const MAGIC = [0x53, 0x57, 0x46, 0x31];
const HEADER = 16;

const quantise = (p: number) => Math.max(0, Math.min(255, Math.round(p * 255)));

/** The previous frame's pixels that a delta-coded frame refers to. */
export interface FramePixels {
  labels: Uint8Array;
  confidence: Uint8Array;
}

/** Encodes a frame, as a delta against `previous` when it has the same size. */
export function encodeFrame(frame: Frame, previous?: FramePixels): Uint8Array {
  const n = frame.width * frame.height;
  const delta = previous !== undefined && previous.labels.length === n;
  const q = frame.pointProbabilities.length + frame.profiles.length;
  const raw = new Uint8Array(HEADER + 2 * n + q);
  const view = new DataView(raw.buffer);
  raw.set(MAGIC, 0);
  raw[4] = delta ? 1 : 0;
  raw[5] = frame.classes;
  view.setUint16(6, frame.width, true);
  view.setUint16(8, frame.height, true);
  view.setUint16(10, frame.profileSamples, true);
  view.setUint32(10 + 2, frame.evaluated, true);
  for (let i = 0; i < n; i++) {
    raw[HEADER + i] = delta ? frame.labels[i]! ^ previous.labels[i]! : frame.labels[i]!;
    raw[HEADER + n + i] = delta ? (frame.confidence[i]! - previous.confidence[i]! + 256) & 255 : frame.confidence[i]!;
  }
  let o = HEADER + 2 * n;
  for (const p of frame.pointProbabilities) raw[o++] = quantise(p);
  for (const p of frame.profiles) raw[o++] = quantise(p);
  return deflateSync(raw, { level: 9 });
}

/** Whether an encoded frame needs the previous frame's pixels to decode. */
export function isDelta(encoded: Uint8Array): boolean {
  return (inflateSync(encoded)[4]! & 1) === 1;
}

/** Decodes a frame written by encodeFrame; a delta frame needs the previous frame's pixels. */
export function decodeFrame(encoded: Uint8Array, previous?: FramePixels): Frame {
  let raw: Uint8Array;
  try {
    raw = inflateSync(encoded);
  } catch (error) {
    throw new Error(`not a slicewatch frame (not deflate data: ${(error as Error).message})`, { cause: error });
  }
  if (MAGIC.some((b, i) => raw[i] !== b)) throw new Error('not a slicewatch frame (bad magic bytes)');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const delta = (raw[4]! & 1) === 1;
  const classes = raw[5]!;
  const width = view.getUint16(6, true);
  const height = view.getUint16(8, true);
  const profileSamples = view.getUint16(10, true);
  const evaluated = view.getUint32(12, true);
  const n = width * height;
  if (delta && (previous === undefined || previous.labels.length !== n)) {
    throw new Error('a delta-coded frame needs the previous frame of the same slice to decode');
  }
  const labels = new Uint8Array(n);
  const confidence = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = delta ? raw[HEADER + i]! ^ previous!.labels[i]! : raw[HEADER + i]!;
    confidence[i] = delta ? (raw[HEADER + n + i]! + previous!.confidence[i]!) & 255 : raw[HEADER + n + i]!;
  }
  let o = HEADER + 2 * n;
  const pointProbabilities = Float32Array.from({ length: 3 * classes }, () => raw[o++]! / 255);
  const profiles = Float32Array.from({ length: 3 * profileSamples * classes }, () => raw[o++]! / 255);
  return {
    width,
    height,
    labels,
    confidence,
    classes,
    pointProbabilities,
    profileSamples,
    profiles,
    metrics: frameMetrics(labels, width, height, classes, previous?.labels),
    evaluated,
  };
}
