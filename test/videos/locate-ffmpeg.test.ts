import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { FfmpegNotFoundError } from '../../videos/errors.js';
import { bundledFfmpeg, findFfmpeg } from '../../videos/locate-ffmpeg.js';

/** A folder holding an executable file named ffmpeg (never run: the lookup only checks it). */
function folderWithFfmpeg(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-path-'));
  writeFileSync(join(dir, 'ffmpeg'), '#!/bin/sh\n');
  chmodSync(join(dir, 'ffmpeg'), 0o755);
  return dir;
}

test('the bundled ffmpeg is installed with the dependencies and runs', () => {
  const bundled = bundledFfmpeg();
  expect(bundled).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
  expect(execFileSync(bundled!, ['-hide_banner', '-encoders'], { encoding: 'utf8' })).toMatch(/libx264/);
});

test.each([
  { name: 'FFMPEG_PATH wins over PATH and the bundled binary', env: 'env', expected: 'FFMPEG_PATH' },
  { name: 'ffmpeg on PATH comes before the bundled binary', env: 'path', expected: 'ffmpeg on PATH' },
  { name: 'with neither, the bundled binary', env: 'none', expected: 'bundled @ffmpeg-installer/ffmpeg' },
] as const)('$name', ({ env, expected }) => {
  const dir = folderWithFfmpeg();
  const vars =
    env === 'env'
      ? { FFMPEG_PATH: join(dir, 'ffmpeg'), PATH: dir }
      : env === 'path'
        ? { PATH: `/nonexistent:${dir}` }
        : { PATH: '/nonexistent' };
  const found = findFfmpeg(vars);
  expect(found.source).toBe(expected);
  expect(found.path).toBe(env === 'none' ? bundledFfmpeg() : join(dir, 'ffmpeg'));
});

test('a bad FFMPEG_PATH is named, and nothing found names all three places', () => {
  expect(() => findFfmpeg({ FFMPEG_PATH: '/nope/ffmpeg' })).toThrow(
    /^ffmpeg not found; looked in FFMPEG_PATH=\/nope\/ffmpeg \(not an executable file\)\./,
  );
  expect(() => findFfmpeg({ PATH: '/nonexistent' }, () => undefined)).toThrow(FfmpegNotFoundError);
  expect(() => findFfmpeg({ PATH: '/nonexistent' }, () => undefined)).toThrow(
    /^ffmpeg not found; looked in FFMPEG_PATH \(unset\), ffmpeg on PATH \(none\), @ffmpeg-installer\/ffmpeg \(not installed for this platform\)\. .*set FFMPEG_PATH/,
  );
  const notExecutable = join(mkdtempSync(join(tmpdir(), 'slicewatch-path-')), 'ffmpeg');
  writeFileSync(notExecutable, '');
  expect(() => findFfmpeg({ PATH: '' }, () => notExecutable)).toThrow(
    `@ffmpeg-installer/ffmpeg (${notExecutable} is not executable)`,
  );
});
