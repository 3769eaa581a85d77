import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FfmpegNotFoundError } from './errors.js';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ffmpeg binary: FFMPEG_PATH, else one shipped inside an npm package (@ffmpeg-installer/ffmpeg,
 * when the user installed it), else `ffmpeg` on PATH. Throws FfmpegNotFoundError naming all three.
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['FFMPEG_PATH'];
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new FfmpegNotFoundError([`FFMPEG_PATH=${fromEnv} (not an executable file)`]);
  }
  try {
    const packaged = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    if (executable(packaged)) return packaged;
  } catch {
    // Not installed: the next place.
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'ffmpeg');
    if (dir !== '' && executable(candidate)) return candidate;
  }
  throw new FfmpegNotFoundError([
    'FFMPEG_PATH (unset)',
    '@ffmpeg-installer/ffmpeg (not installed)',
    'ffmpeg on PATH (none)',
  ]);
}
