import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMAND_OPTIONS } from '../../server/commands/options.js';

/** Runs the real CLI entry point in a child process, from the TypeScript sources. */
function slicewatch(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/bin.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking, so that short runs can go side by side. */
function slicewatchAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/bin.ts', ...args], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

describe('slicewatch train', () => {
  test('trains, reports backend, progress and test accuracy, checkpoints, and resumes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slicewatch-cli-'));
    const out = join(dir, 'run');
    const store = join(dir, 'store.db');
    const first = slicewatch([
      'train',
      '--store',
      store,
      '--steps',
      '40',
      '--checkpoint-every',
      '20',
      '--eval-every',
      '20',
      '--out',
      out,
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^backend: wasm — @tensorflow\/tfjs-backend-wasm/m);
    // Not a terminal: plain progress lines every 2 steps (a twentieth of the run), with rate and ETA.
    expect(first.stdout).toMatch(
      /^step 2\/40 {2}epoch 0\.02 {2}loss \d\.\d{4} {2}lr 0\.0500 {2}\d+ img\/s {2}ETA \d:\d\d$/m,
    );
    expect(first.stdout).toMatch(/^step 20: checkpoint .*step-00000020$/m);
    expect(first.stdout).toMatch(/^done: 40 steps in \d:\d\d, test accuracy \d+\.\d\d%$/m);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'completed', step: 40, backend: { kind: 'wasm' } });
    expect(existsSync(join(out, 'checkpoints', 'step-00000040', 'model.json'))).toBe(true);

    const again = slicewatch(['train', '--out', out, '--store', store]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `slicewatch: ${store} already holds a run named ${out}; pass --resume to continue it or choose another --out\n`,
    );

    // Resuming finds the run's store through its run.json.
    const resumed = slicewatch(['train', '--out', out, '--resume', '--steps', '50']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resuming at step 40 of 50/m);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', step: 50 });

    const evaluated = slicewatch([
      'eval',
      '--checkpoint',
      out,
      '--limit',
      '20',
      '--attack',
      'pgd-linf:eps=0.1,steps=5',
    ]);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.stdout).toContain('checkpoint: ' + join(out, 'checkpoints', 'step-00000050'));
    expect(evaluated.stdout).toMatch(/^test accuracy: \d+\.\d\d% on 1996 images$/m);
    expect(evaluated.stdout).toMatch(
      /^robust accuracy: \d+\.\d\d% \(clean \d+\.\d\d%\) on 20 test images \(seed 0\) under pgd-linf:eps=0.1,steps=5,step=0.01,seed=0,random=1;/m,
    );

    // An ensemble of the run's two last checkpoints: usable wherever a model is.
    const pair = `${out}+${join(out, 'checkpoints', 'step-00000040')}`;
    const ensembleEval = slicewatch(['eval', '--checkpoint', pair, '--attack', 'none']);
    expect(ensembleEval.stderr).toBe('');
    expect(ensembleEval.stdout).toContain(`checkpoint: ensemble of ${join(out, 'checkpoints', 'step-00000050')}+`);
    expect(ensembleEval.stdout).toMatch(/^test accuracy: \d+\.\d\d% on 1996 images$/m);

    const attacks = join(out, 'attacks');
    const attacked = slicewatch([
      'attack',
      '--checkpoint',
      out,
      '--indices',
      '0,3',
      '--targets',
      '7',
      '--out',
      attacks,
    ]);
    expect(attacked.stderr).toBe('');
    const report = JSON.parse(readFileSync(join(attacks, 'report.json'), 'utf8'));
    expect(report.attack).toBe('pgd-linf:eps=0.3,steps=40,step=0.01,seed=0,random=1');
    expect(report.examples.map((e: { index: number; target: string }) => [e.index, e.target])).toEqual([
      [0, '7'],
      [3, '7'],
    ]);
    for (const e of report.examples) expect(e.linf).toBeLessThanOrEqual(0.3 + 1e-6);
    // 28 × 28 float32 values, and PNGs upscaled 4× to 112 × 112.
    expect(readFileSync(join(attacks, 'test-3-adversarial.f32')).length).toBe(784 * 4);
    const sliced = slicewatch([
      'slice',
      '--checkpoint',
      out,
      '--b',
      'test:1',
      '--c',
      'grey',
      '--resolution',
      '40',
      '--mode',
      'adaptive',
      '--out',
      join(out, 'slice'),
    ]);
    expect(sliced.stderr).toBe('');
    expect(sliced.stdout).toMatch(/^slice \d+x\d+, \d+ feasible pixels, \d+ evaluated in/m);
    const sliceReport = JSON.parse(readFileSync(join(out, 'slice.json'), 'utf8'));
    expect(sliceReport.points.a).toMatchObject({ spec: 'test:0', label: 0 });
    expect(Math.max(sliceReport.geometry.width, sliceReport.geometry.height)).toBe(40);
    expect(sliceReport.profiles['a→b']).toHaveLength(32);
    const slicePng = readFileSync(join(out, 'slice.png'));
    // The regions upscaled 4×, with the legend to their right.
    expect(slicePng.readUInt32BE(16)).toBeGreaterThan(4 * sliceReport.geometry.width + 60);
    expect(slicePng.readUInt32BE(20)).toBeGreaterThanOrEqual(4 * sliceReport.geometry.height);

    const church = slicewatch([
      'church-window',
      '--checkpoint',
      out,
      '--point',
      'noise(grey;l2=3;seed=1)',
      '--half-width',
      '4',
      '--count',
      '2',
      '--resolution',
      '16',
      '--out',
      join(out, 'church'),
    ]);
    expect(church.stderr).toBe('');
    const churchReport = JSON.parse(readFileSync(join(out, 'church.json'), 'utf8'));
    expect(churchReport.windows).toHaveLength(4);
    // Two columns of 16·2-pixel windows with 4-pixel gaps (2·32 + 3·4 = 76), then the legend.
    expect(readFileSync(join(out, 'church.png')).readUInt32BE(16)).toBeGreaterThan(76 + 60);

    const png = readFileSync(join(attacks, 'test-0-original.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([112, 112]);
  });

  test.each([
    { args: ['train', '--lr', 'fast'], message: 'slicewatch: expected --lr to be a number, received fast\n' },
    {
      args: ['train', '--batch-size', '1.5'],
      message: 'slicewatch: expected --batch-size to be a positive integer, received 1.5\n',
    },
    {
      args: ['train', '--model', 'vgg'],
      message: 'slicewatch: invalid model: vgg; expected cnn or wrn-DEPTH-WIDTH (e.g. wrn-16-2)\n',
    },
    {
      args: ['train', '--backend', 'tpu'],
      message: 'slicewatch: invalid backend: tpu; expected one of tensorflow, webgpu, wasm, cpu\n',
    },
    {
      args: ['train', '--resume', '--out', '/no/run'],
      message: 'slicewatch: /no/run/run.json: not found; is /no/run a slicewatch run folder?\n',
    },
    {
      args: ['train', '--dataset', 'cifar10:/no/such/file.tar.gz'],
      message: 'slicewatch: /no/such/file.tar.gz: not found: give the CIFAR-10 binary folder or its .tar.gz\n',
    },
    {
      args: ['train', '--adv', 'pgd-linf', '--mixup', '1'],
      message: 'slicewatch: --adv and --mixup cannot be combined; choose one kind of training\n',
    },
    { args: ['eval'], message: 'slicewatch: --checkpoint PATH is required (a checkpoint or run folder)\n' },
    {
      args: ['attack', '--checkpoint', '/no/ckpt'],
      message:
        'slicewatch: /no/ckpt: neither a checkpoint folder (with checkpoint.json) nor a run folder with checkpoints\n',
    },
    {
      args: ['train', '--backend', 'tensorflow'],
      message:
        'slicewatch: backend tensorflow is not available: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (install it with: npm install @tensorflow/tfjs-node, or -gpu with CUDA)\n',
    },
  ])('$args: one-line error, exit 1', ({ args, message }) => {
    const dir = mkdtempSync(join(tmpdir(), 'slicewatch-cli-'));
    const out = join(dir, 'run');
    const store = join(dir, 'store.db');
    const given =
      args[0] !== 'train' ? args : [...args, '--store', store, ...(args.includes('--out') ? [] : ['--out', out])];
    const result = slicewatch(given);
    expect(result.stderr).toBe(message);
    expect(result.code).toBe(1);
    // Nothing is left behind by a run that could not start.
    expect(existsSync(out)).toBe(false);
    expect(existsSync(store)).toBe(false);
  });

  test('--resume without --out says what to add', () => {
    expect(slicewatch(['train', '--resume']).stderr).toBe(
      'slicewatch: --resume needs --out FOLDER naming the run to continue\n',
    );
  });

  test('SLICEWATCH_BACKEND forces a backend, and a wrong one is named', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'slicewatch-cli-')), 'run');
    const forced = slicewatch(['train', '--out', out], { SLICEWATCH_BACKEND: 'tensorflow' });
    expect(forced.stderr).toMatch(/^slicewatch: backend tensorflow is not available: /);
    expect(forced.code).toBe(1);
    const wrong = slicewatch(['train'], { SLICEWATCH_BACKEND: 'gpu' });
    expect(wrong.stderr).toBe('slicewatch: invalid backend: gpu; expected one of tensorflow, webgpu, wasm, cpu\n');
    const threads = slicewatch(['train'], { SLICEWATCH_THREADS: 'many' });
    expect(threads.stderr).toBe('slicewatch: invalid SLICEWATCH_THREADS: many; expected a whole number from 1 to 8\n');
    expect(threads.code).toBe(1);
  });

  let globalHelp: Promise<{ code: number; stdout: string }> | undefined;
  test.concurrent.each(Object.entries(COMMAND_OPTIONS))(
    '%s --help, and the global --help, document every option of its table',
    async (name, options) => {
      const flags = Object.values(options.table).map((row) => `  --${(row as { flag: string }).flag}`);
      const own = await slicewatchAsync([name, '--help']);
      expect(own.code).toBe(0);
      for (const flag of flags) expect(own.stdout).toContain(flag);
      const global = (await (globalHelp ??= slicewatchAsync(['--help']))).stdout;
      const section = global.slice(global.indexOf(`slicewatch ${name} options:\n`)).split('\n\n')[0]!;
      for (const flag of flags) expect(section).toContain(flag);
    },
  );
});

/**
 * Every bad option value is refused while parsing: exit 1, one line naming the flag, the value and
 * what is allowed, no stack trace, and nothing written — neither the run folder nor the store.
 */
describe('bad option values', () => {
  test.concurrent.each([
    [
      ['train', '--record', '--record-resolution', '0'],
      'expected --record-resolution to be an integer in [8, 2048], received 0',
    ],
    [
      ['train', '--record', '--record-mode', 'fulll'],
      'invalid --record-mode: fulll; expected full, adaptive or temporal',
    ],
    [['train', '--record', '--record-policy', 'newer'], 'invalid --record-policy: newer; expected wait or newest'],
    [['train', '--record', '--record-every', '0'], 'expected --record-every to be a positive integer, received 0'],
    [['train', '--steps', '-1'], 'expected --steps to be a positive integer, received -1'],
    [['train', '--epochs', '-1'], 'expected --epochs to be a number in [0, 1000000], received -1'],
    [['train', '--adv', 'pgd-linf:eps=-1'], 'invalid --adv pgd-linf:eps=-1: attack eps: -1; expected a number ≥ 0'],
    [
      ['train', '--eval-attack', 'strong:iters=0'],
      'invalid --eval-attack strong:iters=0: expected strong evaluation iterations to be a positive integer, received 0',
    ],
    [['eval', '--limit', '-3'], 'expected --limit to be a positive integer, received -3'],
    [
      ['eval', '--attack', 'pgd-linf:step=-0.1'],
      'invalid --attack pgd-linf:step=-0.1: attack step size: -0.1; expected a number ≥ 0',
    ],
    [
      ['attack', '--attack', 'fgsm-linf:eps=-0.1'],
      'invalid --attack fgsm-linf:eps=-0.1: attack eps: -0.1; expected a number ≥ 0',
    ],
    [['slice', '--resolution', '-5'], 'expected --resolution to be an integer in [8, 2048], received -5'],
    [['slice', '--resolution', '100000'], 'expected --resolution to be an integer in [8, 2048], received 100000'],
    [['church-window', '--half-width', '-1'], 'expected --half-width to be a number in [0, 1000], received -1'],
    [['video', '--slices', '-1'], 'expected --slices to be comma-separated non-negative integers, received -1'],
    [['video', '--time', 'linear'], 'invalid --time: linear; expected every or log'],
    [['rerender', '--mode', 'fulll'], 'invalid --mode: fulll; expected full or adaptive'],
  ])('%j', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'slicewatch-cli-'));
    const table = COMMAND_OPTIONS[args[0] as keyof typeof COMMAND_OPTIONS].table;
    // Where the command would write, after the bad value so that the bad value is what is refused.
    const where = [
      ...('out' in table ? ['--out', join(dir, 'x')] : []),
      ...('store' in table ? ['--store', join(dir, 's.db')] : []),
    ];
    const result = await slicewatchAsync([...args, ...where]);
    expect(result.stderr).toBe(`slicewatch: ${message}\n`);
    expect(result.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});
