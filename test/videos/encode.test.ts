import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { renderLegend } from '../../slices/render.js';
import { composeVideoFrame, videoSteps } from '../../videos/compose.js';
import { encodeMp4 } from '../../videos/encode.js';
import { FfmpegFailedError } from '../../videos/errors.js';
import { syntheticFrame } from '../fixtures/frames.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-video-'));

/** ffprobe's view of the first video stream. */
function probe(file: string): {
  codec_name: string;
  pix_fmt: string;
  width: number;
  height: number;
  nb_read_frames: string;
} {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=codec_name,pix_fmt,width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).streams[0];
}

test('encodes piped frames to H.264 yuv420p with the expected size and frame count', async () => {
  const out = join(tempDir(), 'clip.mp4');
  const frames = Array.from({ length: 12 }, (_, i) => new Uint8Array(64 * 48 * 3).fill(i * 20));
  let progress = 0;
  const written = await encodeMp4(frames, out, { width: 64, height: 48, fps: 12, onProgress: (n) => (progress = n) });
  expect(written).toBe(12);
  expect(progress).toBe(12);
  expect(probe(out)).toEqual({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 64, height: 48, nb_read_frames: '12' });
  // +faststart: the index (moov) comes before the media data (mdat).
  const head = execFileSync('head', ['-c', '4096', out]).toString('latin1');
  expect(head.indexOf('moov')).toBeGreaterThan(0);
  expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
});

test('a side-by-side video of two runs has two panels’ width plus the legend, padded even', async () => {
  const legend = renderLegend(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const one = composeVideoFrame([{ frame: syntheticFrame(10, 32), caption: ['a'] }], legend, 3);
  const two = composeVideoFrame(
    [
      { frame: syntheticFrame(10, 32), caption: ['baseline'] },
      { frame: syntheticFrame(14, 32), caption: ['adversarial'] },
    ],
    legend,
    3,
  );
  // A panel is 32·3 pixels plus 8 of margin on each side (room for a marker's ring on the edge).
  const panel = 32 * 3 + 16;
  expect(two.width - one.width).toBeGreaterThanOrEqual(panel - 1);
  expect(two.width - one.width).toBeLessThanOrEqual(panel + 1);
  expect(two.width % 2).toBe(0);
  expect(two.height % 2).toBe(0);
  const out = join(tempDir(), 'side-by-side.mp4');
  await encodeMp4([two.rgb, two.rgb, two.rgb], out, { width: two.width, height: two.height, fps: 24 });
  expect(probe(out)).toMatchObject({ width: two.width, height: two.height, nb_read_frames: '3' });
});

test('a frame with a, b, c marked and shown as thumbnails: 480 × 302, thumbnails hold the images', () => {
  const digit = (row: number, col: number) => {
    const image = new Float32Array(28 * 28);
    image[row * 28 + col] = 0.6;
    return image;
  };
  const frame = composeVideoFrame(
    [
      {
        frame: syntheticFrame(20, 64),
        caption: ['run - adversarial and centre', 'step 10', 'test acc 90.0%'],
        markers: [
          { x: 0, y: 63, name: 'a' },
          { x: 0, y: 63, name: 'b' },
          { x: 32, y: 20, name: 'c' },
        ],
        thumbnails: [
          { name: 'a', image: digit(3, 5), shape: [28, 28, 1] },
          { name: 'b', image: digit(3, 5), shape: [28, 28, 1] },
          { name: 'c', image: new Float32Array(784).fill(0.5), shape: [28, 28, 1] },
        ],
      },
    ],
    renderLegend(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
    4,
  );
  // Panel: 8 + 256 regions + 8 + 58 thumbnails (28·2 + a 2-pixel frame) + 8 = 338 wide; captions
  // 3·10 + 8 = 38, then 256, then 8: 302 high. Legend: 8 + 14 + 6 + 106 ('outside H') + 8 = 142
  // wide, 11 rows of 22 + 8 = 250 high.
  expect([frame.width, frame.height]).toEqual([338 + 142, 302]);
  const at = (x: number, y: number) =>
    Array.from(frame.rgb.subarray((y * frame.width + x) * 3, (y * frame.width + x) * 3 + 3));
  // Thumbnail a: column at x = 272, y = 38; its name 16 high, its frame at y = 54, the image from
  // (273, 55); pixel (row 3, col 5) at scale 2 is (283, 61).
  expect(at(272, 54)).toEqual([160, 160, 160]);
  expect(at(273, 55)).toEqual([0, 0, 0]);
  expect(at(283, 61)).toEqual([153, 153, 153]);
  expect(at(284, 62)).toEqual([153, 153, 153]);
});

test('time mappings: every recorded step, or log-spaced ones', () => {
  const steps = Array.from({ length: 1000 }, (_, i) => i + 1);
  expect(videoSteps(steps, 'every', 10)).toHaveLength(1000);
  // 1, 10^(1/3) ≈ 2, 10^(2/3) ≈ 5, 10, 22, 46, 100, 215, 464, 1000.
  expect(videoSteps(steps, 'log', 10)).toEqual([1, 2, 5, 10, 22, 46, 100, 215, 464, 1000]);
});

test('aborting mid-encode kills ffmpeg and leaves the previous file untouched, with no temporary file', async () => {
  const dir = tempDir();
  const out = join(dir, 'clip.mp4');
  writeFileSync(out, 'the previous video');
  const controller = new AbortController();
  async function* frames() {
    for (let i = 0; i < 1000; i++) {
      if (i === 20) controller.abort(new Error('cancelled by the test'));
      yield new Uint8Array(64 * 48 * 3).fill(i % 256);
    }
  }
  await expect(encodeMp4(frames(), out, { width: 64, height: 48, fps: 12, signal: controller.signal })).rejects.toThrow(
    'cancelled by the test',
  );
  expect(readFileSync(out, 'utf8')).toBe('the previous video');
  expect(readdirSync(dir)).toEqual(['clip.mp4']);
});

test('ffmpeg failing is one line with its own words, and leaves nothing behind', async () => {
  const dir = tempDir();
  const frames = Array.from({ length: 200 }, () => new Uint8Array(64 * 48 * 3));
  // A folder where the output should go: ffmpeg cannot write the file there.
  const error = await encodeMp4(frames, join(dir, 'missing', 'clip.mp4'), { width: 64, height: 48, fps: 12 }).catch(
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(FfmpegFailedError);
  expect((error as Error).message).toMatch(
    /^ffmpeg exited with \d+ writing .*missing\/clip\.mp4: .*No such file or directory/,
  );
  expect((error as Error).message).not.toContain('\n');
  expect(readdirSync(dir)).toEqual([]);
});
