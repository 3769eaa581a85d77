import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DatasetFormatError } from '../../core/errors.js';
import { DIGIT_CLASSES, FASHION_CLASSES, type Dataset, type Split } from './dataset.js';
import { readMaybeGzip } from './files.js';

/** IDX magic numbers: two zero bytes, 0x08 (unsigned byte), number of dimensions. */
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/** Parses an IDX file of unsigned bytes with the expected magic number; returns dims and data. */
export function parseIdx(bytes: Buffer, file: string, magic: number): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw new DatasetFormatError(file, 'truncated: shorter than the 4-byte IDX header');
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
    throw new DatasetFormatError(file, `wrong magic number ${hex(found)}, expected ${hex(magic)}`);
  }
  const rank = magic & 0xff;
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new DatasetFormatError(file, 'truncated inside the IDX header');
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - header;
  if (actual < expected) {
    throw new DatasetFormatError(file, `truncated: header promises ${expected} bytes of data, file has ${actual}`);
  }
  if (actual > expected) {
    throw new DatasetFormatError(file, `${actual - expected} unexpected bytes after the ${expected} bytes of data`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, expected) };
}

function findFile(folder: string, stem: string): string {
  const candidates = [stem, stem.replace(/-(idx\d)/, '.$1')].flatMap((s) => [s, `${s}.gz`]);
  for (const name of candidates) {
    const path = join(folder, name);
    if (existsSync(path)) return path;
  }
  throw new DatasetFormatError(
    join(folder, stem),
    `file not found (also looked for ${candidates.slice(1).join(', ')})`,
  );
}

function readSplit(
  folder: string,
  prefix: 'train' | 't10k',
  classCount: number,
): { split: Split; shape: [number, number] } {
  const imagesFile = findFile(folder, `${prefix}-images-idx3-ubyte`);
  const labelsFile = findFile(folder, `${prefix}-labels-idx1-ubyte`);
  const images = parseIdx(readMaybeGzip(imagesFile), imagesFile, IMAGES_MAGIC);
  const labels = parseIdx(readMaybeGzip(labelsFile), labelsFile, LABELS_MAGIC);
  const [count, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DatasetFormatError(
      labelsFile,
      `has ${labels.dims[0]} labels but ${basename(imagesFile)} has ${count} images`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= classCount);
  if (bad >= 0) {
    throw new DatasetFormatError(labelsFile, `label ${labels.data[bad]} at index ${bad} is not below ${classCount}`);
  }
  return { split: { images: images.data, labels: labels.data, count }, shape: [h, w] };
}

/**
 * MNIST-format IDX files in a folder (plain or .gz): train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte. Class names come from a `classes.txt` (one per
 * line) when present, else Fashion-MNIST's when the path names fashion, else the digits.
 */
export function loadIdxFolder(folder: string): Dataset {
  const classesFile = join(folder, 'classes.txt');
  const classNames = existsSync(classesFile)
    ? readFileSync(classesFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
    : /fashion/i.test(folder)
      ? FASHION_CLASSES
      : DIGIT_CLASSES;
  const train = readSplit(folder, 'train', classNames.length);
  const test = readSplit(folder, 't10k', classNames.length);
  if (train.shape[0] !== test.shape[0] || train.shape[1] !== test.shape[1]) {
    throw new DatasetFormatError(
      folder,
      `train images are ${train.shape.join('x')} but test images are ${test.shape.join('x')}`,
    );
  }
  return {
    spec: `idx:${folder}`,
    imageShape: [train.shape[0], train.shape[1], 1],
    classNames,
    train: train.split,
    test: test.split,
  };
}
