import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FfmpegNotFoundError } from './errors.js';

/** An ffmpeg binary and where it was found, e.g. "ffmpeg on PATH" (said in run logs). */
export interface FfmpegBinary {
  path: string;
  source: 'FFMPEG_PATH' | 'ffmpeg on PATH' | 'bundled @ffmpeg-installer/ffmpeg';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The static ffmpeg shipped inside the `@ffmpeg-installer/ffmpeg` dependency, if it is installed for this platform. */
export function bundledFfmpeg(): string | undefined {
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/**
 * The ffmpeg binary: FFMPEG_PATH, else `ffmpeg` on PATH (usually newer), else the static build
 * bundled with the `@ffmpeg-installer/ffmpeg` dependency, so a machine with only Node needs nothing
 * else. Throws FfmpegNotFoundError naming all three places.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env, bundled = bundledFfmpeg): FfmpegBinary {
  const fromEnv = env['FFMPEG_PATH'];
  if (fromEnv) {
    if (executable(fromEnv)) return { path: fromEnv, source: 'FFMPEG_PATH' };
    throw new FfmpegNotFoundError([`FFMPEG_PATH=${fromEnv} (not an executable file)`]);
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'ffmpeg');
    if (dir !== '' && executable(candidate)) return { path: candidate, source: 'ffmpeg on PATH' };
  }
  const packaged = bundled();
  if (packaged !== undefined && executable(packaged)) {
    return { path: packaged, source: 'bundled @ffmpeg-installer/ffmpeg' };
  }
  throw new FfmpegNotFoundError([
    'FFMPEG_PATH (unset)',
    'ffmpeg on PATH (none)',
    packaged === undefined
      ? '@ffmpeg-installer/ffmpeg (not installed for this platform)'
      : `@ffmpeg-installer/ffmpeg (${packaged} is not executable)`,
  ]);
}
