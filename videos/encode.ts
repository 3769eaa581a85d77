import { spawn } from 'node:child_process';
import { FfmpegFailedError } from './errors.js';
import { findFfmpeg } from './locate-ffmpeg.js';

/** ffmpeg arguments that encode raw RGB frames of `width` × `height` from `input` (a file or pipe:0) to an MP4. */
export function ffmpegMp4Args(input: string, width: number, height: number, fps: number, out: string): string[] {
  return [
    ['-hide_banner', '-loglevel', 'error', '-y'],
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', input],
    ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '18', '-movflags', '+faststart', out],
  ].flat();
}

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** Called after each frame is written, with the count so far. */
  onProgress?: (written: number) => void;
  ffmpeg?: string;
}

/**
 * Encodes RGB frames (width × height × 3 bytes each; both sides even) to an MP4: frames piped raw
 * on ffmpeg's stdin, H.264 in yuv420p so every browser plays it, `+faststart` so playback can start
 * while downloading. Resolves with the number of frames written.
 */
export async function encodeMp4(
  frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  out: string,
  options: EncodeOptions,
): Promise<number> {
  const { width, height, fps } = options;
  if (width % 2 || height % 2) throw new RangeError(`H.264 in yuv420p needs even sides, received ${width}x${height}`);
  const ffmpeg = options.ffmpeg ?? findFfmpeg().path;
  const args = ffmpegMp4Args('pipe:0', width, height, fps, out);
  const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  let written = 0;
  try {
    for await (const frame of frames) {
      if (frame.length !== width * height * 3)
        throw new RangeError(`frame ${written} has ${frame.length} bytes, expected ${width * height * 3}`);
      if (!child.stdin.write(frame)) await new Promise((resolve) => child.stdin.once('drain', resolve));
      written++;
      options.onProgress?.(written);
    }
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0)
    throw new FfmpegFailedError(`ffmpeg exited with ${code} writing ${out}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
  return written;
}
