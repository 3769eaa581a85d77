import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('the main job (npm start = slicewatch demo) writes one side-by-side MP4 per slice', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'slicewatch-demo-')), 'demo');
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'server/bin.ts', 'demo', '--steps', '6', '--warmup', '3', '--out', out],
    {
      encoding: 'utf8',
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^== Madry adversarial training/m);
  for (const k of [0, 1, 2]) {
    const file = join(out, 'videos', `slice-${k}.mp4`);
    expect(existsSync(file)).toBe(true);
    const probe = spawnSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-show_entries',
        'stream=codec_name,pix_fmt,nb_read_frames',
        '-of',
        'csv=p=0',
        file,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(probe.stdout.trim()).toBe('h264,yuv420p,6');
  }
  expect(result.stdout).toContain('(adversarial and centre)');
}, 300_000);
