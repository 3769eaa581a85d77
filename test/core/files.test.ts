import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { temporaryPath, writeAtomically, writeFileAtomically } from '../../core/files.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-files-'));

test('the temporary name sits beside the file, hidden, with the same extension', () => {
  expect(temporaryPath('/a/b/video.mp4')).toBe(`/a/b/.video.mp4.${process.pid}.partial.mp4`);
  expect(temporaryPath('run/checkpoint')).toBe(`run/.checkpoint.${process.pid}.partial`);
});

test('a completed write replaces the file; a failed one leaves the previous file and no temporary', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.json');
  writeFileAtomically(file, 'first');
  await writeAtomically(file, (temporary) => writeFileSync(temporary, 'second'));
  expect(readFileSync(file, 'utf8')).toBe('second');
  await expect(
    writeAtomically(file, (temporary) => {
      writeFileSync(temporary, 'half of the thi');
      throw new Error('killed halfway');
    }),
  ).rejects.toThrow('killed halfway');
  expect(readFileSync(file, 'utf8')).toBe('second');
  expect(readdirSync(dir)).toEqual(['run.json']);
  expect(() => writeFileAtomically(join(dir, 'no', 'such', 'folder.json'), '{}')).toThrow(/ENOENT/);
  expect(existsSync(join(dir, 'no'))).toBe(false);
});
