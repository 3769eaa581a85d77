import { expect, test } from 'vitest';
import { createRng } from '../../core/rng.js';
import {
  BitDecoder,
  BitEncoder,
  codeMagnitude,
  codeSigned,
  codeSymbol,
  magnitudeModels,
  probabilities,
  probability,
  signedModels,
  symbolModels,
  type BitCoder,
} from '../../slices/bit-coder.js';

/** Bits drawn with probability `p` of a 1. */
function bits(count: number, p: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => (rng.next() < p ? 1 : 0));
}

/** The entropy of the sample in bits: what a coder that knew its frequency in advance would need. */
function entropyBits(sample: number[]): number {
  const ones = sample.filter((b) => b === 1).length;
  const f = ones / sample.length;
  return -sample.length * (f * Math.log2(f) + (1 - f) * Math.log2(1 - f));
}

test('skewed bits round-trip and take at most 0.025 bits a bit over their entropy', () => {
  for (const [p, seed] of [
    [0.1, 1],
    [0.02, 2],
    [0.5, 3],
  ] as const) {
    const sample = bits(20_000, p, seed);
    const encoder = new BitEncoder();
    const model = probability();
    for (const b of sample) encoder.bit(model, b);
    const encoded = encoder.finish();
    const decoder = new BitDecoder(encoded, 0);
    const back = probability();
    expect(sample.map(() => decoder.bit(back))).toEqual(sample);
    // Adapting to the last ~32 bits costs about 1/(4·32·ln 2) = 0.011 bits a bit over the entropy
    // (the variance of the estimate), whatever p; 0.025 leaves room for the warm-up and the 1/4096 floor.
    expect(encoded.length * 8).toBeLessThan(entropyBits(sample) + 0.025 * sample.length + 16);
    expect(encoded.length * 8).toBeGreaterThan(0.98 * entropyBits(sample));
  }
});

test('a thousand zeros take at most 4 bytes: the probability adapts to 1/4096', () => {
  const encoder = new BitEncoder();
  const model = probability();
  for (let i = 0; i < 1000; i++) encoder.bit(model, 0);
  const encoded = encoder.finish();
  expect(encoded.length).toBeLessThanOrEqual(4);
  const decoder = new BitDecoder(encoded, 0);
  const back = probability();
  expect(Array.from({ length: 1000 }, () => decoder.bit(back)).every((b) => b === 0)).toBe(true);
});

test('symbols, magnitudes and signed values round-trip, interleaved, from an offset', () => {
  const symbols = Array.from({ length: 16 }, (_, i) => i);
  const magnitudes = [0, 1, 2, 3, 7, 8, 255, 1000, 2 ** 23 - 1, 2 ** 24 - 2];
  const signed = Array.from({ length: 41 }, (_, i) => (i - 20) ** 3);
  /** One walk for both directions, as the frame planes do: `values` are the encoder's, the decoder's come back. */
  const walk = (coder: BitCoder) => {
    const models = {
      symbol: symbolModels(4),
      magnitude: magnitudeModels(),
      signed: signedModels(),
      flag: probabilities(2),
    };
    const out: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const s of symbols) out.push(codeSymbol(coder, models.symbol, 4, s));
      for (const m of magnitudes) out.push(codeMagnitude(coder, models.magnitude, m));
      for (const v of signed) out.push(codeSigned(coder, models.signed, v), coder.bit(models.flag[v & 1]!, v & 1));
    }
    return out;
  };
  const encoder = new BitEncoder();
  const written = walk(encoder);
  const encoded = encoder.finish();
  const stored = Uint8Array.from([7, 7, 7, ...encoded]);
  const read = walk(new BitDecoder(stored, 3));
  expect(read).toEqual(written);
  expect(read.slice(0, 16)).toEqual(symbols);
  expect(read.slice(16, 26)).toEqual(magnitudes);
  expect(read.filter((_, i) => i >= 26 && i < 26 + 82 && (i - 26) % 2 === 0)).toEqual(signed);
});
