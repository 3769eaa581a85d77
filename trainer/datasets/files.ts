import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetFormatError } from '../../core/errors.js';

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(file: string): Buffer {
  if (!existsSync(file)) throw new DatasetFormatError(file, 'file not found');
  const raw = readFileSync(file);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw);
  } catch (error) {
    throw new DatasetFormatError(file, `not a valid gzip file (${(error as Error).message})`);
  }
}

/**
 * The regular files of a POSIX (ustar) tar archive, by path. Only what the CIFAR-10 archive needs:
 * plain files, with the ustar prefix field joined to the name.
 */
export function readTar(archive: Buffer, file: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const text = (start: number, length: number): string =>
    archive
      .subarray(start, start + length)
      .toString('latin1')
      .replace(/\0.*$/s, '');
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const name = text(offset, 100);
    if (name === '') break;
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1);
    const prefix = text(offset + 257, 6).startsWith('ustar') ? text(offset + 345, 155) : '';
    if (!Number.isFinite(size) || offset + 512 + size > archive.length) {
      throw new DatasetFormatError(file, `truncated tar archive at entry ${name}`);
    }
    if (type === '0' || type === '') {
      files.set(prefix ? `${prefix}/${name}` : name, archive.subarray(offset + 512, offset + 512 + size));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (files.size === 0) throw new DatasetFormatError(file, 'not a tar archive, or an empty one');
  return files;
}
