import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * A temporary name beside `path` (same folder, so renaming it onto `path` is atomic): hidden, with
 * the process id, and ending like `path` so tools that look at extensions still work.
 */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.partial${extname(path)}`);
}

/**
 * Writes a file completely under a temporary name, then renames it onto `path`: a process killed
 * at any moment leaves the previous file or none, never a truncated one. `write` gets the
 * temporary path; if it throws, the temporary file is removed and the error passes on.
 */
export async function writeAtomically<T>(path: string, write: (temporary: string) => Promise<T> | T): Promise<T> {
  const temporary = temporaryPath(path);
  try {
    const result = await write(temporary);
    renameSync(temporary, path);
    return result;
  } catch (error) {
    rmSync(temporary, { force: true, recursive: true });
    throw error;
  }
}

/** writeFileSync, atomically (see writeAtomically). */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  const temporary = temporaryPath(path);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
