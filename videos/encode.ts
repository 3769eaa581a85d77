import { spawn } from 'node:child_process';
import { writeAtomically } from '../core/files.js';
import { FfmpegFailedError } from './errors.js';
import { findFfmpeg } from './locate-ffmpeg.js';

/** ffmpeg arguments that encode raw RGB frames of `width` × `height` from `input` (a file or pipe:0) to an MP4. */
export function ffmpegMp4Args(input: string, width: number, height: number, fps: number, out: string): string[] {
  return [
    ['-hide_banner', '-loglevel', 'error', '-y'],
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', input],
    ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '18', '-movflags', '+faststart'],
    ['-f', 'mp4', out],
  ].flat();
}

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** Called after each frame is written, with the count so far. */
  onProgress?: (written: number) => void;
  /** Aborting stops ffmpeg and removes the unfinished file; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  ffmpeg?: string;
}

/** The last non-empty lines of ffmpeg's stderr, joined into one line. */
function lastLines(stderr: string, count = 2): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' / ');
}

/**
 * Encodes RGB frames (width × height × 3 bytes each; both sides even) to an MP4: frames piped raw
 * on ffmpeg's stdin, H.264 in yuv420p so every browser plays it, `+faststart` so playback can start
 * while downloading. The file is written under a temporary name and renamed when complete, so an
 * interrupted encoding leaves the previous file at `out` (or none). Resolves with the number of
 * frames written; ffmpeg's failures become one-line FfmpegFailedErrors.
 */
export async function encodeMp4(
  frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  out: string,
  options: EncodeOptions,
): Promise<number> {
  const { width, height, fps, signal } = options;
  if (width % 2 || height % 2) throw new RangeError(`H.264 in yuv420p needs even sides, received ${width}x${height}`);
  const ffmpeg = options.ffmpeg ?? findFfmpeg().path;
  signal?.throwIfAborted();
  return writeAtomically(out, async (temporary) => {
    const child = spawn(ffmpeg, ffmpegMp4Args('pipe:0', width, height, fps, temporary), {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
    // ffmpeg that exits early (a bad path, a full disk) closes its stdin: EPIPE, reported below with ffmpeg's own words.
    let pipeBroken = false;
    child.stdin.on('error', () => (pipeBroken = true));
    const exited = new Promise<number | string>((resolve, reject) => {
      child.once('error', (error) => reject(new FfmpegFailedError(`cannot run ${ffmpeg}: ${error.message}`)));
      child.once('close', (code, killedBy) => resolve(code ?? String(killedBy)));
    });
    const failure = (code: number | string) =>
      new FfmpegFailedError(
        `ffmpeg ${typeof code === 'number' ? `exited with ${code}` : `was killed (${code})`} writing ${out}: ${lastLines(stderr) || 'no message'}`,
      );
    let written = 0;
    try {
      for await (const frame of frames) {
        signal?.throwIfAborted();
        if (frame.length !== width * height * 3)
          throw new RangeError(`frame ${written} has ${frame.length} bytes, expected ${width * height * 3}`);
        if (pipeBroken) break;
        if (!child.stdin.write(frame))
          await new Promise<void>((resolve) => {
            const done = () => {
              child.stdin.off('drain', done);
              child.stdin.off('close', done);
              resolve();
            };
            child.stdin.on('drain', done);
            child.stdin.on('close', done);
          });
        written++;
        options.onProgress?.(written);
      }
    } catch (error) {
      child.kill('SIGKILL');
      await exited.catch(() => undefined);
      throw error;
    } finally {
      child.stdin.end();
      signal?.removeEventListener('abort', abort);
    }
    const code = await exited;
    signal?.throwIfAborted();
    if (code !== 0 || pipeBroken) throw failure(code);
    return written;
  });
}
