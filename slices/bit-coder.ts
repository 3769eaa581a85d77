/**
 * A binary arithmetic coder with adaptive probabilities, the entropy coder of the SWF3 frames
 * (slices/frame-codec.ts). Encoder and decoder share one interface, `BitCoder`, so that the code
 * walking a frame's planes is written once: it passes the value it would store, the encoder writes
 * it and hands it back, the decoder ignores it and hands back what it read. Pure integer and
 * double arithmetic (+, −, ×, ÷, floor), so the server and every browser decode the same bits.
 *
 * The coder keeps the interval [low, high] of 32-bit integers; a bit with probability p of being 1
 * takes the lower part of it, proportional to p in 1/4096ths; a byte is shifted out whenever low
 * and high agree on their top byte, so there is never a carry to propagate.
 */

/**
 * The adapted probability that a bit is 1, in 1/65536ths, and how many bits it has seen: it moves
 * by 1/(seen + 1.5) of each surprise at first, then by 1/RATE, so it learns fast and then settles.
 */
export interface Probability {
  p: number;
  seen: number;
}

/** After this many bits a probability adapts by 1/RATE of each surprise. */
const RATE = 32;

/** The adaptation step after n bits, 65536/min(n + 1.5, RATE), in integers. */
const STEPS = Array.from({ length: RATE }, (_, n) => Math.round(65536 / Math.min(n + 1.5, RATE)));

/** A fresh probability, one half. */
export const probability = (): Probability => ({ p: 32768, seen: 0 });

/** `count` fresh probabilities, one per context. */
export const probabilities = (count: number): Probability[] => Array.from({ length: count }, probability);

function adapt(model: Probability, bit: number): void {
  const step = STEPS[model.seen]!;
  if (model.seen < RATE - 1) model.seen++;
  model.p += Math.floor((((bit ? 65536 : 0) - model.p) * step) / 65536);
}

/** The split of [low, high] for a bit of probability `p`: low + ⌊(high − low)·p⌋ in 1/4096ths, at least 1/4096 each side. */
function split(low: number, high: number, p: number): number {
  const p12 = Math.min(4095, Math.max(1, p >> 4));
  return low + Math.floor(((high - low) * p12) / 4096);
}

/** Codes one bit at a time; `value` is what the encoder stores and the decoder disregards. */
export interface BitCoder {
  bit(model: Probability, value: number): number;
}

export class BitEncoder implements BitCoder {
  private low = 0;
  private high = 0xffffffff;
  private readonly bytes: number[] = [];

  bit(model: Probability, value: number): number {
    const bit = value ? 1 : 0;
    const mid = split(this.low, this.high, model.p);
    if (bit) this.high = mid;
    else this.low = mid + 1;
    adapt(model, bit);
    while (((this.low ^ this.high) & 0xff000000) === 0) {
      this.bytes.push(this.high >>> 24);
      this.low = (this.low << 8) >>> 0;
      this.high = ((this.high << 8) | 0xff) >>> 0;
    }
    return bit;
  }

  /** The coded bytes: one more byte places a value inside the final interval (the decoder reads zeros past the end). */
  finish(): Uint8Array {
    return Uint8Array.from([...this.bytes, (this.low >>> 24) + 1]);
  }
}

export class BitDecoder implements BitCoder {
  private low = 0;
  private high = 0xffffffff;
  private x = 0;
  private next: number;

  constructor(
    private readonly data: Uint8Array,
    offset: number,
  ) {
    this.next = offset;
    for (let i = 0; i < 4; i++) this.x = ((this.x << 8) | this.byte()) >>> 0;
  }

  private byte(): number {
    return this.next < this.data.length ? this.data[this.next++]! : 0;
  }

  bit(model: Probability): number {
    const mid = split(this.low, this.high, model.p);
    const bit = this.x <= mid ? 1 : 0;
    if (bit) this.high = mid;
    else this.low = mid + 1;
    adapt(model, bit);
    while (((this.low ^ this.high) & 0xff000000) === 0) {
      this.low = (this.low << 8) >>> 0;
      this.high = ((this.high << 8) | 0xff) >>> 0;
      this.x = ((this.x << 8) | this.byte()) >>> 0;
    }
    return bit;
  }
}

/** Models for a symbol of `bits` bits coded most significant bit first, each bit in the context of the bits before it. */
export const symbolModels = (bits: number): Probability[] => probabilities(1 << bits);

/** Codes a symbol in [0, 2^bits) with the models of symbolModels(bits). */
export function codeSymbol(coder: BitCoder, models: Probability[], bits: number, value: number): number {
  let node = 1;
  for (let b = bits - 1; b >= 0; b--) node = (node << 1) | coder.bit(models[node]!, (value >> b) & 1);
  return node - (1 << bits);
}

/** The longest bit length codeMagnitude codes (of value + 1). */
const MAX_LENGTH = 24;

/** Models for codeMagnitude: one per unary position and per suffix bit position. */
export const magnitudeModels = (): { prefix: Probability[]; suffix: Probability[] } => ({
  prefix: probabilities(MAX_LENGTH - 1),
  suffix: probabilities(MAX_LENGTH - 1),
});

/**
 * Codes a non-negative integer below 2^24 − 1, Elias-gamma style: the bit length of value + 1 in
 * unary, then the bits below its leading one, each position with its own model.
 */
export function codeMagnitude(
  coder: BitCoder,
  models: { prefix: Probability[]; suffix: Probability[] },
  value: number,
): number {
  const v = value + 1;
  const length = 32 - Math.clz32(v);
  let n = 1;
  while (n < MAX_LENGTH && coder.bit(models.prefix[n - 1]!, n < length ? 1 : 0)) n++;
  let result = 1;
  for (let b = n - 2; b >= 0; b--) result = (result << 1) | coder.bit(models.suffix[b]!, (v >> b) & 1);
  return result - 1;
}

/** Models for codeSigned: zero or not, the sign, and the magnitude. */
export const signedModels = () => ({ zero: probability(), sign: probability(), magnitude: magnitudeModels() });

/** Codes an integer: whether it is zero, then (codeNonZero) its sign and its magnitude less one. */
export function codeSigned(coder: BitCoder, models: ReturnType<typeof signedModels>, value: number): number {
  return coder.bit(models.zero, value !== 0 ? 1 : 0) ? codeNonZero(coder, models, value) : 0;
}

/** Codes a non-zero integer, its zero flag already coded: the sign, then the magnitude less one. */
export function codeNonZero(coder: BitCoder, models: ReturnType<typeof signedModels>, value: number): number {
  const negative = coder.bit(models.sign, value < 0 ? 1 : 0);
  const magnitude = codeMagnitude(coder, models.magnitude, Math.abs(value) - 1) + 1;
  return negative ? -magnitude : magnitude;
}
