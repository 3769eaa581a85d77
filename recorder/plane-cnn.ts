import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';
import type { SliceGeometry } from '../slices/geometry.js';
import { PlaneKernel, type KernelLayout } from './plane-kernel.js';

/**
 * A CNN's plane form: on a slice, the network's input is a + s·u + t·w, and conv 1 + ReLU +
 * max-pool + conv 2 is piecewise linear in (s, t). Between two pixels only the pool-1 units whose
 * pattern (which conv-1 value wins the pool, and whether it is positive) differs change conv 2's
 * pre-activation, so walking the pixels of a slice from neighbour to neighbour costs a few dozen
 * of conv 2's columns a pixel instead of all of it (plane-kernel.ts). The layers after pool 2 run
 * on the backend, batched over all the slices of a step.
 *
 * Exact up to float32 rounding: conv 2's pre-activation is accumulated along the walk, which
 * starts afresh at every `load`, i.e. once per slice and training step.
 */

/** The parts of a model whose first layers have a plane form. */
export interface PlaneNetwork {
  conv1: tf.layers.Layer;
  conv2: tf.layers.Layer;
  /** The layers after pool 2, as a classifier of pool 2's output [n, p2, p2, c2]. */
  head: Classifier;
  /** Pool 2's output per image, [p2, p2, c2]. */
  featureShape: [number, number, number];
}

const networks = new WeakMap<tf.LayersModel, PlaneNetwork | null>();

/**
 * The plane form of a model that starts conv (valid, stride 1, ReLU, channels a multiple of 4) –
 * max-pool 2 × 2 – conv (the same, channels a multiple of 8) – max-pool 2 × 2, on square images:
 * the MNIST CNN; undefined for any other model (its slices are evaluated image by image).
 */
export function planeNetworkOf(model: tf.LayersModel): PlaneNetwork | undefined {
  if (!networks.has(model)) networks.set(model, findPlaneNetwork(model) ?? null);
  return networks.get(model) ?? undefined;
}

function findPlaneNetwork(model: tf.LayersModel): PlaneNetwork | undefined {
  const [conv1, pool1, conv2, pool2, ...rest] = model.layers;
  const shape = model.inputs[0]?.shape;
  if (!conv1 || !pool1 || !conv2 || !pool2 || rest.length === 0 || shape?.length !== 4 || shape[1] !== shape[2])
    return undefined;
  // The kernel takes conv 1's channels in groups of 4, conv 2's in pairs of such groups.
  if (!isPlaneConv(conv1, 4) || !isPool2(pool1) || !isPlaneConv(conv2, 8) || !isPool2(pool2)) return undefined;
  const [, p2, , c2] = pool2.outputShape as number[];
  const head: Classifier = {
    logits: (x) =>
      rest.reduce<tf.Tensor>((y, layer) => layer.apply(y, { training: false }) as tf.Tensor, x) as tf.Tensor2D,
  };
  return { conv1, conv2, head, featureShape: [p2!, p2!, c2!] };
}

function isPlaneConv(layer: tf.layers.Layer, channelMultiple: number): boolean {
  const config = layer.getConfig();
  const filters = config.filters as number;
  return (
    layer.getClassName() === 'Conv2D' &&
    config.padding === 'valid' &&
    config.activation === 'relu' &&
    config.dataFormat === 'channelsLast' &&
    JSON.stringify(config.strides) === '[1,1]' &&
    JSON.stringify(config.dilationRate) === '[1,1]' &&
    (config.kernelSize as number[])[0] === (config.kernelSize as number[])[1] &&
    filters % channelMultiple === 0
  );
}

function isPool2(layer: tf.layers.Layer): boolean {
  const config = layer.getConfig();
  return (
    layer.getClassName() === 'MaxPooling2D' &&
    config.padding === 'valid' &&
    JSON.stringify(config.poolSize) === '[2,2]' &&
    JSON.stringify(config.strides) === '[2,2]'
  );
}

/** Kernel instances per slice: a walk of SPLIT_FROM points or more is split between them. */
const LANES = 2;
const SPLIT_FROM = 32;

/** A lane's arrays in the kernel's memory: its walk state (Z, win, slack, contiguous) and scratch. */
type LaneLayout = Pick<KernelLayout, 'Z' | 'win' | 'slack' | 'changes' | 'counts' | 'starts' | 'pairs'>;

/** Where everything lies in a slice's kernel memory: the shared arrays and each lane's. */
interface PlaneLayout {
  shared: Omit<KernelLayout, keyof LaneLayout>;
  lanes: LaneLayout[];
  /** Bytes of a lane's walk state, from its Z. */
  state: number;
}

/** A region of the kernel's memory for one caller's walks: coordinates, then pool 2's outputs. */
interface Slot {
  at: number;
  bytes: number;
}

/**
 * One slice's plane form, on its own kernel: `load` a model's weights once per training step,
 * then `features` of any plane points, in the order given (neighbours after each other cost
 * least). Walks run one after the other, from where the last one ended, whoever asks. A long walk
 * is split between the kernel's lanes, each on its own thread: the second lane starts from a copy
 * of the first's state and its first point jumps to the second half, so a slice's walk takes both
 * cores when the other slices are done.
 */
export class SlicePlane {
  private layout: PlaneLayout | undefined;
  private network: PlaneNetwork | undefined;
  /** The lane whose state is at the last point walked. */
  private current = 0;
  /** Whether the current lane has walked since `load`. */
  private walked = false;
  /** The walks asked for so far, in turn. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly slots: Slot[] = [];
  /** The end of what is laid out in the kernel's memory: the arrays, then the slots. */
  private end = 0;

  private constructor(
    private readonly geometry: SliceGeometry,
    private readonly imageShape: readonly [number, number, number],
    private readonly kernel: PlaneKernel,
  ) {}

  static async create(geometry: SliceGeometry, imageShape: readonly [number, number, number]): Promise<SlicePlane> {
    return new SlicePlane(geometry, imageShape, await PlaneKernel.create(LANES));
  }

  /**
   * Takes the network's current weights: conv 1 of the slice's origin and axes (A with conv 1's
   * bias), conv 2's kernel, and conv 2's bias as the walk's starting G; the walk starts afresh.
   */
  load(network: PlaneNetwork): void {
    const [kernel1, bias1] = network.conv1.getWeights() as [tf.Tensor4D, tf.Tensor1D?];
    const [kernel2, bias2] = network.conv2.getWeights() as [tf.Tensor4D, tf.Tensor1D?];
    const [k2, , c1, c2] = kernel2.shape;
    const maps = tf.tidy(() => {
      const { origin, u, w, d } = this.geometry;
      const points = new Float32Array(3 * d);
      points.set(origin, 0);
      points.set(u, d);
      points.set(w, 2 * d);
      return tf.conv2d(tf.tensor4d(points, [3, ...this.imageShape]), kernel1, 1, 'valid');
    });
    const h1 = maps.shape[1];
    const { shared, lanes } = this.allocate(h1, c1, c2, k2);
    const lane = lanes[(this.current = 0)]!;
    this.walked = false;
    const memory = new Float32Array(this.kernel.memory.buffer);
    interleave(memory, shared.APQ / 4, [maps.dataSync() as Float32Array, c1], bias1?.dataSync());
    maps.dispose();
    memory.set(kernel2.dataSync(), shared.W2 / 4);
    // G starts at conv 2's bias, Gs and Gt at zero.
    interleave(memory, lane.Z / 4, [new Float32Array(3 * shared.h2 * shared.h2 * c2), c2], bias2?.dataSync());
    new Int32Array(this.kernel.memory.buffer).fill(-1, lane.win / 4, lane.slack / 4);
    // Every group's slack entry (s0, t0, σ, θ) with σ = θ = ∞: the walk's first point computes all.
    const fresh = Float32Array.of(0, 0, Infinity, Infinity);
    for (let entry = lane.slack / 4; entry < lane.changes / 4; entry += 4) memory.set(fresh, entry);
    this.network = network;
  }

  /**
   * Pool 2's output [n × p2·p2·c2] at plane coordinates [n × 2] (interleaved), walked in order
   * after the walks asked for before, since `load`. A view of the kernel's memory in region `slot`
   * (one per caller), valid until the next call for the same slot (not copied: on this project's
   * machines a fresh buffer's first touch costs more than the walk).
   */
  features(coords: Float32Array, slot = 0): Promise<Float32Array> {
    const walk = this.queue.then(() => this.walk(coords, slot));
    this.queue = walk.catch(() => undefined);
    return walk;
  }

  private async walk(coords: Float32Array, slot: number): Promise<Float32Array> {
    const { layout, network } = this;
    if (!layout || !network) throw new Error('SlicePlane.features before load');
    const n = coords.length / 2;
    const size = network.featureShape.reduce((a, b) => a * b) * 4;
    const at = this.region(slot, coords.byteLength + n * size);
    const out = at + coords.byteLength;
    new Float32Array(this.kernel.memory.buffer).set(coords, at / 4);
    const walk = (lane: number, from: number, to: number) =>
      this.kernel.run(lane, { ...layout.shared, ...layout.lanes[lane]! }, at + 8 * from, to - from, out + size * from);
    // A walk's first point after `load` computes conv 2 whole: a fresh walk stays on one lane.
    if (n < SPLIT_FROM || !this.walked) await walk(this.current, 0, n);
    else {
      // The other lane takes the second half from a copy of this lane's state.
      const [here, there] = [this.current, (this.current + 1) % this.kernel.lanes];
      const from = layout.lanes[here]!.Z;
      new Uint8Array(this.kernel.memory.buffer).copyWithin(layout.lanes[there]!.Z, from, from + layout.state);
      const half = Math.floor(n / 2);
      await Promise.all([walk(here, 0, half), walk(there, half, n)]);
      this.current = there;
    }
    this.walked ||= n > 0;
    return new Float32Array(this.kernel.memory.buffer, out, (n * size) / 4);
  }

  /** Slot `slot`'s region, made at least `bytes` long: moved to the end of the memory, twice as long, when too short. */
  private region(slot: number, bytes: number): number {
    const region = this.slots[slot];
    if (region && region.bytes >= bytes) return region.at;
    const grown = { at: this.end, bytes: Math.max(bytes, 2 * (region?.bytes ?? 0)) };
    this.end += grown.bytes;
    this.reserve(this.end);
    this.slots[slot] = grown;
    return grown.at;
  }

  /** Frees the slice's kernel. */
  dispose(): void {
    this.kernel.dispose();
  }

  /** Lays the kernel's arrays out for these sizes (once: a model's shapes do not change). */
  private allocate(h1: number, c1: number, c2: number, k2: number): PlaneLayout {
    if (this.layout) return this.layout;
    const p1 = Math.floor(h1 / 2);
    const h2 = p1 - k2 + 1;
    const p2 = Math.floor(h2 / 2);
    let offset = 16;
    const place = <K extends string>(bytes: Record<K, number>) => {
      const at = {} as Record<K, number>;
      for (const [name, size] of Object.entries(bytes) as [K, number][]) {
        at[name] = offset;
        offset += size;
      }
      return at;
    };
    const shared = { c1, h1, p1, c2, k2, h2, p2, ...place({ APQ: 12 * h1 * h1 * c1, W2: 4 * k2 * k2 * c1 * c2 }) };
    const lanes = Array.from({ length: this.kernel.lanes }, () =>
      place({
        // The walk state, copied from lane to lane as one block.
        Z: 12 * h2 * h2 * c2,
        win: 4 * p1 * p1 * c1,
        slack: 4 * p1 * p1 * c1,
        // Scratch of a point.
        changes: 64 * p1 * p1 * c1,
        counts: 4 * p1 * p1,
        starts: 4 * p1 * p1,
        pairs: 8 * k2 * k2 * c1,
      }),
    );
    this.layout = { shared, lanes, state: lanes[0]!.changes - lanes[0]!.Z };
    this.end = offset;
    this.reserve(offset);
    return this.layout;
  }

  /** Grows the kernel's memory to hold `bytes`. */
  private reserve(bytes: number): void {
    const { memory } = this.kernel;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  }
}

/**
 * Writes three planes of maps ([3 × positions × channels], channels last) into memory from float
 * `at` as groups of 4 channels, 12 floats a group: 4 of the first plane, 4 of the second, 4 of the
 * third; `bias` is added to the first plane.
 */
function interleave(
  memory: Float32Array,
  at: number,
  [maps, channels]: [Float32Array, number],
  bias: Float32Array | Int32Array | Uint8Array | undefined,
): void {
  const size = maps.length / 3;
  for (let i = 0; i < size; i++) {
    const c = i % channels;
    const group = at + 12 * ((i - c) / 4 + (c >> 2)) + (c & 3);
    memory[group] = maps[i]! + (bias ? Number(bias[c]) : 0);
    memory[group + 4] = maps[size + i]!;
    memory[group + 8] = maps[2 * size + i]!;
  }
}
