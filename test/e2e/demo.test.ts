import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { probeVideo } from '../fixtures/ffprobe.js';

test('the main job (npm start = slicewatch demo) serves the dashboard, trains as jobs and writes one side-by-side MP4 per slice, with no ffmpeg on PATH', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'slicewatch-demo-')), 'demo');
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/bin.ts',
      'demo',
      '--steps',
      '6',
      '--warmup',
      '3',
      '--out',
      out,
      '--port',
      '0',
      '--exit',
    ],
    // Only Node: no ffmpeg on PATH, so the videos come from the ffmpeg bundled with the dependencies.
    { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent', FFMPEG_PATH: '' } },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^== Madry adversarial training/m);
  expect(result.stdout).toMatch(/^== dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m);
  for (const k of [0, 1, 2]) {
    const file = join(out, 'videos', `slice-${k}.mp4`);
    expect(existsSync(file)).toBe(true);
    expect(probeVideo(file, ['codec_name', 'pix_fmt', 'nb_read_frames'])).toBe('h264,yuv420p,6');
  }
  expect(result.stdout).toContain('(adversarial and centre)');
  expect(result.stdout).toMatch(/encoded by bundled @ffmpeg-installer\/ffmpeg/);
}, 300_000);
