import { inflateSync } from 'fflate';
import { BitDecoder, BitEncoder } from './bit-coder.js';
import type { Frame } from './frame.js';
import { INFEASIBLE } from './grid.js';
import { codePlanes, type Planes, type PreviousPlanes } from './frame-planes.js';
import { frameMetrics, type FrameMetrics } from './metrics.js';

/**
 * The stored form of a frame, decoded identically by the server and the browser (pure
 * JavaScript). Written now ("SWF3"), not deflated:
 *
 *   "SWF3" | u8 flags (bit 0: delta against the previous frame) | u8 classes | u16 check of the
 *   decoded planes | varints: width, height, profile samples, evaluated, confidence age, profile
 *   age | the planes, arithmetic-coded (slices/frame-planes.ts, slices/bit-coder.ts)
 *
 * Labels are exact; confidence is kept to 16 levels (decoded as level·17, within 8.5/255 of the
 * evaluated value; 0 at infeasible pixels), point probabilities to 1/255 and profiles to 1/63.
 * Each plane is coded against what the decoder already has (the previous frame, the neighbours
 * above and to the left), so a delta frame costs about what changed.
 *
 * The earlier codecs still decode. Both deflate this layout, little-endian:
 *
 *   "SWF2" | u8 flags | u8 classes | u16 width | u16 height | u16 profile samples | u32 evaluated |
 *   u8 confidence age | u8 profile age (20 bytes) |
 *   labels (w·h bytes; with delta, XOR with the previous labels) |
 *   confidence levels (w·h bytes, round(c/17) in 0–15; with delta, the difference mod 16) |
 *   point probabilities (3·classes bytes, round(p·255); with delta, the difference mod 256) |
 *   profiles (3·samples·classes bytes, round(p·63); with delta, the difference mod 64)
 *
 * and "SWF1" the same with a 16-byte header (no ages), confidence in 8 bits (difference mod 256),
 * profiles in 1/255 and only the pixels delta-coded. Metrics are not stored: they are recomputed
 * from the labels on decode.
 */
const MAGIC = { 1: [0x53, 0x57, 0x46, 0x31], 2: [0x53, 0x57, 0x46, 0x32], 3: [0x53, 0x57, 0x46, 0x33] } as const;
const HEADER = { 1: 16, 2: 20 } as const;

/** Profile levels and point-probability levels of SWF2 and SWF3 (confidence has 16, `confidenceLevel`). */
const LEVELS = { profile: 63, point: 255 } as const;

const level = (p: number, levels: number) => Math.max(0, Math.min(levels, Math.round(p * levels)));
const confidenceLevel = (c: number) => Math.round(c / 17);

/** The previous frame of the slice that a delta-coded frame refers to (a decoded Frame will do). */
export interface FramePixels {
  labels: Uint8Array;
  confidence: Uint8Array;
  /** Needed to decode an SWF2 or SWF3 delta frame, whose probabilities are delta-coded too. */
  pointProbabilities?: Float32Array;
  profiles?: Float32Array;
}

const hasMagic = (bytes: Uint8Array, version: 1 | 2 | 3) => MAGIC[version].every((b, i) => bytes[i] === b);

/** Whether `previous` has the layout a frame of `pixels` pixels and these probability counts is delta-coded against. */
const sameLayout = (previous: FramePixels, pixels: number, points: number, profiles: number) =>
  previous.labels.length === pixels &&
  previous.pointProbabilities?.length === points &&
  previous.profiles?.length === profiles;

/** The confidence level of every confidence byte: round(c / 17). */
const CONFIDENCE_LEVEL = Uint8Array.from({ length: 256 }, (_, c) => confidenceLevel(c));

/** Integer levels of probabilities in [0, 1], as level() (a loop: typed-array `from` with a map function is slow). */
function levelsOf(probabilities: Float32Array, levels: number): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = level(probabilities[i]!, levels);
  return out;
}

/** A frame's values as the SWF3 planes hold them: confidence levels (0 where infeasible) and integer probabilities. */
function quantised(pixels: Required<FramePixels>): PreviousPlanes {
  const { labels, confidence } = pixels;
  const levels = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) levels[i] = labels[i] === INFEASIBLE ? 0 : CONFIDENCE_LEVEL[confidence[i]!]!;
  return {
    labels,
    levels,
    points: levelsOf(pixels.pointProbabilities, LEVELS.point),
    profiles: levelsOf(pixels.profiles, LEVELS.profile),
  };
}

/**
 * A 16-bit check of a frame's planes (FNV-1a over labels, levels and probabilities, folded): a
 * truncated or damaged SWF3 frame, or a delta decoded on the wrong previous frame, fails it.
 */
function checksum({ labels, levels, points, profiles }: PreviousPlanes): number {
  let h = 0x811c9dc5;
  for (const plane of [labels, levels, points, profiles])
    for (let i = 0; i < plane.length; i++) h = Math.imul(h ^ plane[i]!, 0x01000193);
  return ((h >>> 16) ^ h) & 0xffff;
}

function pushVarint(bytes: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
}

/** Encodes a frame (SWF3), as a delta against `previous` when it has the same size and layout. */
export function encodeFrame(frame: Frame, previous?: FramePixels): Uint8Array {
  const { width, height, classes, profileSamples, labels } = frame;
  const wrong = labels.findIndex((label) => label >= classes && label !== INFEASIBLE);
  if (wrong >= 0)
    throw new Error(
      `cannot encode a frame whose pixel ${wrong} has label ${labels[wrong]} (classes 0–${classes - 1} or 255)`,
    );
  const delta =
    previous !== undefined &&
    sameLayout(previous, labels.length, frame.pointProbabilities.length, frame.profiles.length);
  const planes = quantised(frame);
  const check = checksum(planes);
  const header: number[] = [...MAGIC[3], delta ? 1 : 0, classes, check & 0xff, check >> 8];
  for (const v of [width, height, profileSamples, frame.evaluated, frame.confidenceAge ?? 0, frame.profileAge ?? 0])
    pushVarint(header, v);
  const coder = new BitEncoder();
  // The walk writes back each value it codes (the same ones): it gets a copy of the labels.
  codePlanes(
    coder,
    { width, height, classes, profileSamples, ...planes, labels: labels.slice() },
    delta ? quantised(previous as Required<FramePixels>) : undefined,
  );
  const body = coder.finish();
  const encoded = new Uint8Array(header.length + body.length);
  encoded.set(header);
  encoded.set(body, header.length);
  return encoded;
}

function inflate(encoded: Uint8Array): { raw: Uint8Array; version: 1 | 2 } {
  let raw: Uint8Array;
  try {
    raw = inflateSync(encoded);
  } catch (error) {
    throw new Error(`not a slicewatch frame (not deflate data: ${(error as Error).message})`, { cause: error });
  }
  if (hasMagic(raw, 2)) return { raw, version: 2 };
  if (hasMagic(raw, 1)) return { raw, version: 1 };
  throw new Error('not a slicewatch frame (bad magic bytes)');
}

/** Whether an encoded frame needs the previous frame's pixels to decode. */
export function isDelta(encoded: Uint8Array): boolean {
  return ((hasMagic(encoded, 3) ? encoded[4]! : inflate(encoded).raw[4]!) & 1) === 1;
}

const NEEDS_PREVIOUS = 'a delta-coded frame needs the previous frame of the same slice to decode';

/** Decodes a frame written by encodeFrame (SWF3) or by earlier versions (SWF2, SWF1); a delta frame needs the previous frame. */
export function decodeFrame(encoded: Uint8Array, previous?: FramePixels): Frame {
  const frame = hasMagic(encoded, 3) ? decodeSwf3(encoded, previous) : decodeDeflated(encoded, previous);
  let flipped = 0;
  if (previous !== undefined && previous.labels.length === frame.labels.length) {
    for (let i = 0; i < frame.labels.length; i++)
      if (frame.labels[i] !== INFEASIBLE && frame.labels[i] !== previous.labels[i]) flipped++;
  }
  let metrics: FrameMetrics | undefined;
  return {
    ...frame,
    // Measured on first use (areas and components cost more than the decode, and the dashboard
    // draws frames without reading them); flips need the previous frame, so they are counted now.
    get metrics(): FrameMetrics {
      return (metrics ??= { ...frameMetrics(frame.labels, frame.width, frame.height, frame.classes), flipped });
    },
  };
}

type DecodedFields = Omit<Frame, 'metrics'>;

/** Probabilities from their integer levels: q / levels. */
function fractions(quantised: Uint8Array, levels: number): Float32Array {
  const out = new Float32Array(quantised.length);
  for (let i = 0; i < out.length; i++) out[i] = quantised[i]! / levels;
  return out;
}

function decodeSwf3(encoded: Uint8Array, previous?: FramePixels): DecodedFields {
  const bad = (what: string) => new Error(`not a slicewatch frame (${what})`);
  const delta = (encoded[4]! & 1) === 1;
  const classes = encoded[5]!;
  const check = encoded[6]! | (encoded[7]! << 8);
  let o = 8;
  const varint = () => {
    let value = 0;
    for (let scale = 1; scale < 2 ** 35; scale *= 0x80) {
      if (o >= encoded.length) throw bad('truncated header');
      const b = encoded[o++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
    }
    throw bad('bad header');
  };
  const width = varint();
  const height = varint();
  const profileSamples = varint();
  const evaluated = varint();
  const confidenceAge = varint();
  const profileAge = varint();
  if (classes === 0 || width > 0xffff || height > 0xffff || profileSamples > 0xffff) throw bad('bad header');
  const n = width * height;
  const planes: Planes = {
    width,
    height,
    classes,
    profileSamples,
    labels: new Uint8Array(n),
    levels: new Uint8Array(n),
    points: new Uint8Array(3 * classes),
    profiles: new Uint8Array(3 * profileSamples * classes),
  };
  if (delta && (previous === undefined || !sameLayout(previous, n, planes.points.length, planes.profiles.length)))
    throw new Error(NEEDS_PREVIOUS);
  codePlanes(new BitDecoder(encoded, o), planes, delta ? quantised(previous as Required<FramePixels>) : undefined);
  if (checksum(planes) !== check)
    throw bad(delta ? 'damaged, or decoded on another previous frame' : 'damaged or truncated');
  const confidence = new Uint8Array(n);
  for (let i = 0; i < n; i++) confidence[i] = 17 * planes.levels[i]!;
  return {
    width,
    height,
    classes,
    labels: planes.labels,
    confidence,
    pointProbabilities: fractions(planes.points, LEVELS.point),
    profileSamples,
    profiles: fractions(planes.profiles, LEVELS.profile),
    evaluated,
    confidenceAge,
    profileAge,
  };
}

/** SWF2 and SWF1 frames (deflated). */
function decodeDeflated(encoded: Uint8Array, previous?: FramePixels): DecodedFields {
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
      (version === 2 && !sameLayout(previous, n, probabilityCount.point, probabilityCount.profile)))
  ) {
    throw new Error(NEEDS_PREVIOUS);
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
  return {
    width,
    height,
    labels,
    confidence,
    classes,
    pointProbabilities,
    profileSamples,
    profiles,
    evaluated,
    confidenceAge: version === 2 ? raw[16]! : 0,
    profileAge: version === 2 ? raw[17]! : 0,
  };
}
