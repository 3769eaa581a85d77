import { SlicewatchError } from '../core/errors.js';

/** No ffmpeg binary in any of the places slicewatch looks (code FFMPEG_NOT_FOUND). */
export class FfmpegNotFoundError extends SlicewatchError {
  constructor(searched: string[]) {
    super(
      'FFMPEG_NOT_FOUND',
      `ffmpeg not found; looked in ${searched.join(', ')}. reinstall slicewatch's dependencies (npm install brings a bundled ffmpeg), install Debian's ffmpeg (apt-get install ffmpeg), or set FFMPEG_PATH to an ffmpeg binary`,
    );
  }
}

/** ffmpeg ran but failed (code FFMPEG_FAILED); the message ends with its last line of output. */
export class FfmpegFailedError extends SlicewatchError {
  constructor(message: string) {
    super('FFMPEG_FAILED', message);
  }
}
