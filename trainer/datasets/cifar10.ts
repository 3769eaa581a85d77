import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetFormatError } from '../../core/errors.js';
import { CIFAR10_CLASSES, type Dataset, type Split } from './dataset.js';
import { readMaybeGzip, readTar } from './files.js';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
/** One record: a label byte, then 1024 red, 1024 green and 1024 blue bytes, row-major. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PIXELS;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';
const META_FILE = 'batches.meta.txt';

/** Decodes CIFAR-10 binary records into height × width × channel pixels and labels. */
export function parseCifarBatches(files: { name: string; bytes: Uint8Array }[]): Split {
  for (const { name, bytes } of files) {
    if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new DatasetFormatError(
        name,
        `wrong record size: ${bytes.length} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record`,
      );
    }
  }
  const count = files.reduce((n, f) => n + f.bytes.length / CIFAR10_RECORD_BYTES, 0);
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Uint8Array(count);
  let r = 0;
  for (const { name, bytes } of files) {
    for (let offset = 0; offset < bytes.length; offset += CIFAR10_RECORD_BYTES, r++) {
      const label = bytes[offset]!;
      if (label > 9)
        throw new DatasetFormatError(name, `label ${label} in record ${offset / CIFAR10_RECORD_BYTES} is not 0-9`);
      labels[r] = label;
      const out = r * 3 * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        for (let c = 0; c < 3; c++) images[out + 3 * p + c] = bytes[offset + 1 + c * PIXELS + p]!;
      }
    }
  }
  return { images, labels, count };
}

function sourceFiles(path: string): (name: string) => Uint8Array {
  if (!existsSync(path))
    throw new DatasetFormatError(path, 'not found: give the CIFAR-10 binary folder or its .tar.gz');
  if (statSync(path).isDirectory()) {
    const folder = existsSync(join(path, 'cifar-10-batches-bin')) ? join(path, 'cifar-10-batches-bin') : path;
    return (name) => {
      const file = join(folder, name);
      if (!existsSync(file))
        throw new DatasetFormatError(
          file,
          'file not found (the CIFAR-10 binary version has data_batch_1..5.bin and test_batch.bin)',
        );
      return readFileSync(file);
    };
  }
  const entries = readTar(readMaybeGzip(path), path);
  return (name) => {
    const entry = [...entries].find(([entryName]) => entryName === name || entryName.endsWith(`/${name}`));
    if (!entry) throw new DatasetFormatError(path, `archive has no ${name}`);
    return entry[1];
  };
}

/** The CIFAR-10 binary distribution, from its folder or its .tar.gz. */
export function loadCifar10(path: string): Dataset {
  const read = sourceFiles(path);
  let classNames = CIFAR10_CLASSES;
  try {
    const meta = Buffer.from(read(META_FILE))
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (meta.length === 10) classNames = meta;
  } catch {
    // batches.meta.txt only names the classes; the standard names serve without it.
  }
  return {
    spec: `cifar10:${path}`,
    imageShape: [SIDE, SIDE, 3],
    classNames,
    train: parseCifarBatches(TRAIN_FILES.map((name) => ({ name, bytes: read(name) }))),
    test: parseCifarBatches([{ name: TEST_FILE, bytes: read(TEST_FILE) }]),
  };
}
