import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { CIFAR10_RECORD_BYTES } from '../../../trainer/datasets/cifar10.js';
import { imageAt } from '../../../trainer/datasets/dataset.js';
import { loadDataset } from '../../../trainer/datasets/load.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'slicewatch-data-'));

function idxBytes(magic: number, dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Three 2×3 training images and two test images whose pixels encode (image, position). */
function writeIdxFolder(folder: string, options: { gzip?: boolean } = {}): void {
  const pixels = (count: number, base: number) => Array.from({ length: count * 6 }, (_, i) => base + i);
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': idxBytes(0x803, [3, 2, 3], pixels(3, 10)),
    'train-labels-idx1-ubyte': idxBytes(0x801, [3], [7, 0, 9]),
    't10k-images-idx3-ubyte': idxBytes(0x803, [2, 2, 3], pixels(2, 100)),
    't10k-labels-idx1-ubyte': idxBytes(0x801, [2], [1, 2]),
  };
  for (const [name, bytes] of Object.entries(files)) {
    if (options.gzip) writeFileSync(join(folder, `${name}.gz`), gzipSync(bytes));
    else writeFileSync(join(folder, name), bytes);
  }
}

describe('embedded MNIST', () => {
  const dataset = loadDataset('mnist');

  test('splits 10,000 digits: every fifth of each class (1,996) to test, 8,004 to train', () => {
    expect(dataset.test.count).toBe(1996);
    expect(dataset.train.count).toBe(8004);
    expect(dataset.imageShape).toEqual([28, 28, 1]);
    const perClass = Array.from({ length: 10 }, (_, c) => dataset.test.labels.filter((l) => l === c).length);
    // floor(n / 5) of the package's per-class counts 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978.
    expect(perClass).toEqual([200, 225, 198, 206, 196, 172, 202, 214, 188, 195]);
  });

  test('recovers the original bytes: digit 0 #0, pixel 154 is 0.188 in the package, 48/255', () => {
    const require = createRequire(import.meta.url);
    const raw = (JSON.parse(readFileSync(require.resolve('mnist/src/digits/0.json'), 'utf8')) as { data: number[] })
      .data;
    expect(raw[154]).toBe(0.188);
    expect(dataset.train.labels[0]).toBe(0);
    expect(dataset.train.images[154]).toBe(48);
    const image = imageAt(dataset, dataset.train, 0);
    for (let i = 0; i < 784; i++) expect(Math.abs(image[i]! - raw[i]!)).toBeLessThan(0.0021);
  });
});

describe('IDX folders', () => {
  test.each([false, true])('reads plain and gzipped files (gzip: %s)', (gzip) => {
    const folder = tempDir();
    writeIdxFolder(folder, { gzip });
    const dataset = loadDataset(`idx:${folder}`);
    expect(dataset.imageShape).toEqual([2, 3, 1]);
    expect(dataset.train.count).toBe(3);
    expect(Array.from(dataset.train.labels)).toEqual([7, 0, 9]);
    expect(Array.from(dataset.train.images.subarray(6, 12))).toEqual([16, 17, 18, 19, 20, 21]);
    expect(Array.from(dataset.test.images.subarray(0, 6))).toEqual([100, 101, 102, 103, 104, 105]);
    expect(dataset.classNames[9]).toBe('9');
  });

  const corrupt: { name: string; file: string; bytes: Buffer; message: RegExp }[] = [
    {
      name: 'wrong magic number',
      file: 'train-images-idx3-ubyte',
      bytes: idxBytes(0x801, [3], [1, 2, 3]),
      message: /train-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803/,
    },
    {
      name: 'truncated data',
      file: 'train-images-idx3-ubyte',
      bytes: idxBytes(0x803, [3, 2, 3], [1, 2, 3]),
      message: /train-images-idx3-ubyte: truncated: header promises 18 bytes of data, file has 3/,
    },
    {
      name: 'truncated header',
      file: 't10k-labels-idx1-ubyte',
      bytes: Buffer.from([0, 0, 8, 1, 0]),
      message: /t10k-labels-idx1-ubyte: truncated inside the IDX header/,
    },
    {
      name: 'label count differs from image count',
      file: 'train-labels-idx1-ubyte',
      bytes: idxBytes(0x801, [2], [1, 2]),
      message: /train-labels-idx1-ubyte: has 2 labels but train-images-idx3-ubyte has 3 images/,
    },
    {
      name: 'label out of range',
      file: 'train-labels-idx1-ubyte',
      bytes: idxBytes(0x801, [3], [1, 12, 2]),
      message: /label 12 at index 1 is not below 10/,
    },
  ];
  test.each(corrupt)('rejects $name with a message naming the file', ({ file, bytes, message }) => {
    const folder = tempDir();
    writeIdxFolder(folder);
    writeFileSync(join(folder, file), bytes);
    expect(() => loadDataset(`idx:${folder}`)).toThrow(message);
  });

  test('rejects a corrupt gzip file and names it', () => {
    const folder = tempDir();
    writeIdxFolder(folder);
    writeFileSync(join(folder, 't10k-images-idx3-ubyte'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => loadDataset(`idx:${folder}`)).toThrow(/t10k-images-idx3-ubyte: not a valid gzip file/);
  });

  test('names the missing file', () => {
    const folder = tempDir();
    expect(() => loadDataset(`idx:${folder}`)).toThrow(/train-images-idx3-ubyte: file not found/);
  });

  const fashion = '/usr/share/datasets/fashion-mnist';
  test.skipIf(!existsSync(fashion))("reads Debian's Fashion-MNIST: 60,000 + 10,000 images, 6,000 per class", () => {
    const dataset = loadDataset(`idx:${fashion}`);
    expect(dataset.train.count).toBe(60000);
    expect(dataset.test.count).toBe(10000);
    expect(dataset.imageShape).toEqual([28, 28, 1]);
    expect(dataset.classNames[9]).toBe('Ankle boot');
    const perClass = Array.from({ length: 10 }, (_, c) => dataset.train.labels.filter((l) => l === c).length);
    expect(perClass).toEqual(Array(10).fill(6000));
    // The first training image is an ankle boot (label 9) in the published dataset.
    expect(dataset.train.labels[0]).toBe(9);
  });
});

/** A CIFAR-10 record whose red, green and blue planes hold distinct, recognisable bytes. */
function cifarRecord(label: number, seed: number): Buffer {
  const record = Buffer.alloc(CIFAR10_RECORD_BYTES);
  record[0] = label;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) record[1 + c * 1024 + p] = (seed + 7 * c + p) % 256;
  return record;
}

function writeCifarFolder(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= 5; i++) {
    writeFileSync(join(folder, `data_batch_${i}.bin`), Buffer.concat([cifarRecord(i, i), cifarRecord(i + 1, 10 * i)]));
  }
  writeFileSync(join(folder, 'test_batch.bin'), cifarRecord(3, 99));
  writeFileSync(
    join(folder, 'batches.meta.txt'),
    'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n',
  );
}

describe('CIFAR-10 binary', () => {
  function checkSmallCifar(spec: string): void {
    const dataset = loadDataset(spec);
    expect(dataset.imageShape).toEqual([32, 32, 3]);
    expect(dataset.train.count).toBe(10);
    expect(dataset.test.count).toBe(1);
    expect(Array.from(dataset.train.labels)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    // Test record seed 99: pixel p has (R, G, B) = (99 + p, 106 + p, 113 + p) mod 256, stored HWC.
    const p = 200;
    expect(Array.from(dataset.test.images.subarray(3 * p, 3 * p + 3))).toEqual([
      (99 + p) % 256,
      (106 + p) % 256,
      (113 + p) % 256,
    ]);
    expect(dataset.classNames[3]).toBe('cat');
  }

  test('reads the folder', () => {
    const folder = join(tempDir(), 'cifar-10-batches-bin');
    writeCifarFolder(folder);
    checkSmallCifar(`cifar10:${folder}`);
  });

  test('reads the .tar.gz as distributed (made by the system tar)', () => {
    const root = tempDir();
    writeCifarFolder(join(root, 'cifar-10-batches-bin'));
    const archive = join(root, 'cifar-10-binary.tar.gz');
    execFileSync('tar', ['czf', archive, '-C', root, 'cifar-10-batches-bin']);
    checkSmallCifar(`cifar10:${archive}`);
  });

  test('rejects a wrong record size and names the file', () => {
    const folder = tempDir();
    writeCifarFolder(folder);
    writeFileSync(join(folder, 'data_batch_3.bin'), Buffer.alloc(CIFAR10_RECORD_BYTES + 5));
    expect(() => loadDataset(`cifar10:${folder}`)).toThrow(
      /data_batch_3.bin: wrong record size: 3078 bytes is not a multiple of the 3073-byte CIFAR-10 record/,
    );
  });

  test('names a missing batch file', () => {
    const folder = tempDir();
    writeCifarFolder(folder);
    writeFileSync(join(folder, 'test_batch.bin'), Buffer.alloc(0));
    expect(() => loadDataset(`cifar10:${folder}`)).toThrow(/test_batch.bin: wrong record size: 0 bytes/);
    expect(() => loadDataset(`cifar10:${join(folder, 'nope')}`)).toThrow(/nope: not found/);
  });
});

test('rejects an unknown dataset spec with what is accepted', () => {
  expect(() => loadDataset('imagenet')).toThrow(
    'invalid dataset: imagenet; expected mnist, idx:<folder> or cifar10:<folder or .tar.gz>',
  );
});
