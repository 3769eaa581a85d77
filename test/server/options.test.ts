import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { EVAL_ATTACK, evaluationMode } from '../../server/commands/common-options.js';
import { TEMPORAL_DEFAULTS } from '../../recorder/evaluate.js';
import { COMMAND_OPTIONS } from '../../server/commands/options.js';
import { runConfigOf, TRAIN_OPTIONS } from '../../server/commands/train-options.js';
import { formatOptions, parseOptions, type CommandOptions, type CustomKind } from '../../server/options.js';
import { RUN_DEFAULTS } from '../../trainer/run-config.js';

/** A row of any kind, as the tests walk the tables. */
type AnyRow = { flag: string } & (
  { kind: 'switch' | 'path' | 'int' | 'number' | 'enum' | 'string' } | CustomKind<unknown>
);

interface Toy {
  count: number;
  rate: number;
  mode: 'full' | 'adaptive';
  name: string;
  fast: boolean;
  file: string;
  folder: string;
  list: number[];
}

const TOY: CommandOptions<Toy> = {
  defaults: { count: 3, rate: 0.5, mode: 'full', name: '', fast: false, file: 'a.db', folder: 'out', list: [1, 2] },
  table: {
    count: { flag: 'count', arg: 'N', help: 'things', kind: 'int', min: 1, max: 10 },
    rate: { flag: 'rate', arg: 'R', help: 'a rate', kind: 'number', min: -1, max: 1 },
    mode: { flag: 'mode', arg: 'MODE', help: 'how', kind: 'enum', values: ['full', 'adaptive'] },
    name: { flag: 'name', arg: 'NAME', help: 'a name', kind: 'string', required: '--name NAME is required' },
    fast: { flag: 'fast', help: 'go fast', kind: 'switch' },
    file: { flag: 'file', arg: 'FILE', help: 'an input', kind: 'path', role: 'input-file' },
    folder: { flag: 'folder', arg: 'DIR', help: 'an output', kind: 'path', role: 'output-folder' },
    list: {
      flag: 'list',
      arg: 'I,J',
      help: 'numbers',
      kind: 'custom',
      parse: (text) => text.split(',').map(Number),
      format: (value) => value.join(','),
    },
  },
  check: (config) => {
    if (config.fast && config.mode === 'full') throw new InvalidArgumentError('--fast needs --mode adaptive');
  },
};

const parse = (...argv: string[]) => parseOptions(['--name', 'x', ...argv], TOY);
const error = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error(`parsed ${argv.join(' ')}`);
};

describe('parseOptions', () => {
  test('defaults for what is not given; `--flag value` and `--flag=value`; the last repeat wins', () => {
    expect(parse()).toEqual({ ...TOY.defaults, name: 'x' });
    expect(parse('--count', '4', '--rate=-0.25', '--count=7')).toMatchObject({ count: 7, rate: -0.25 });
  });

  test.each([
    { argv: ['--count', '0'], message: 'expected --count to be an integer in [1, 10], received 0' },
    { argv: ['--count', '11'], message: 'expected --count to be an integer in [1, 10], received 11' },
    { argv: ['--count', '2.5'], message: 'expected --count to be an integer in [1, 10], received 2.5' },
    { argv: ['--count', '-1'], message: 'expected --count to be an integer in [1, 10], received -1' },
    { argv: ['--count', 'many'], message: 'expected --count to be an integer in [1, 10], received many' },
    { argv: ['--count', '0x3'], message: 'expected --count to be an integer in [1, 10], received 0x3' },
    { argv: ['--count', ''], message: 'expected --count to be an integer in [1, 10], received ' },
    { argv: ['--rate', 'fast'], message: 'expected --rate to be a number, received fast' },
    { argv: ['--rate', 'Infinity'], message: 'expected --rate to be a number, received Infinity' },
    { argv: ['--rate', '-1.5'], message: 'expected --rate to be a number in [-1, 1], received -1.5' },
  ])('numbers: $argv', ({ argv, message }) => {
    expect(error(...argv)).toBe(message);
  });

  test('numbers: a leading dash is a value, exponents and signs are numbers', () => {
    expect(parse('--rate', '-1', '--count', '1e1')).toMatchObject({ rate: -1, count: 10 });
    expect(parse('--rate', '+.5')).toMatchObject({ rate: 0.5 });
  });

  test('enums: one of the values, else the list', () => {
    expect(parse('--mode', 'adaptive').mode).toBe('adaptive');
    expect(error('--mode', 'fulll')).toBe('invalid --mode: fulll; expected full or adaptive');
  });

  test('switches: present is true, a value is refused', () => {
    expect(parse('--fast', '--mode', 'adaptive').fast).toBe(true);
    expect(error('--fast=yes')).toBe('--fast is a switch and takes no value, received yes');
  });

  test('unknown flags, stray words and missing values', () => {
    expect(error('--colour', 'red')).toBe('unknown option: --colour; see --help');
    expect(error('red')).toBe('unexpected argument: red; options are written --name value (see --help)');
    expect(error('-c', '3')).toBe('unexpected argument: -c; options are written --name value (see --help)');
    expect(error('--count')).toBe('--count needs a value: --count N');
    expect(error('--count', '--fast')).toBe('--count needs a value: --count N');
  });

  test('required options and checks across options', () => {
    expect(() => parseOptions([], TOY)).toThrow(new InvalidArgumentError('--name NAME is required'));
    expect(error('--fast')).toBe('--fast needs --mode adaptive');
  });

  test('paths: never empty; an input file exists; an output folder is not a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slicewatch-options-'));
    const file = join(dir, 'store.db');
    writeFileSync(file, '');
    expect(parse('--file', file, '--folder', join(dir, 'new'))).toMatchObject({ file, folder: join(dir, 'new') });
    expect(error('--file', join(dir, 'none.db'))).toBe(`invalid --file: ${join(dir, 'none.db')}: no such file`);
    expect(error('--file', dir)).toBe(`invalid --file: ${dir} is a folder; expected a file`);
    expect(error('--folder', file)).toBe(`invalid --folder: ${file} is a file; expected a folder`);
    expect(error('--folder=')).toBe('expected --folder to be a path, received nothing');
  });

  test('custom kinds parse their own text', () => {
    expect(parse('--list', '4,5').list).toEqual([4, 5]);
  });
});

test('formatOptions: flag and placeholder, sentence, then required, default and numeric range', () => {
  expect(formatOptions(TOY)).toBe(
    [
      '  --count N     things (default: 3; 1 to 10)',
      '  --rate R      a rate (default: 0.5; -1 to 1)',
      '  --mode MODE   how (default: full)',
      '  --name NAME   a name (required)',
      '  --fast        go fast',
      '  --file FILE   an input (default: a.db)',
      '  --folder DIR  an output (default: out)',
      '  --list I,J    numbers (default: 1,2)',
    ].join('\n'),
  );
});

describe('the command tables', () => {
  test('no two rows of a command share a flag', () => {
    for (const options of Object.values(COMMAND_OPTIONS)) {
      const flags = Object.values(options.table).map((row) => (row as { flag: string }).flag);
      expect(new Set(flags).size).toBe(flags.length);
    }
  });

  test('every default, written as --help shows it, parses back to itself', () => {
    for (const [name, options] of Object.entries(COMMAND_OPTIONS)) {
      const rows = Object.entries(options.table) as [string, AnyRow][];
      for (const [key, row] of rows) {
        const value = (options.defaults as unknown as Record<string, unknown>)[key];
        // Paths and empty defaults ("not given") are not values a flag would take.
        if (row.kind === 'switch' || row.kind === 'path' || value === '') continue;
        const text = row.kind === 'custom' && row.format ? row.format(value) : String(value);
        const one = { defaults: { [key]: undefined }, table: { [key]: row } } as CommandOptions<object>;
        expect(parseOptions([`--${row.flag}`, text], one), `${name} --${row.flag}`).toEqual({ [key]: value });
      }
    }
  });

  test("train's run configuration is picked by RunConfig's keys, so CLI-only options stay out of run.json", () => {
    const config = parseOptions(
      ['--record', '--record-mode', 'full', '--out', 'runs/x', '--steps', '7'],
      TRAIN_OPTIONS,
    );
    const run = runConfigOf(config);
    expect(Object.keys(run).sort()).toEqual(Object.keys(RUN_DEFAULTS).sort());
    expect(run).toEqual({ ...RUN_DEFAULTS, steps: 7 });
  });

  test.each([
    { argv: ['--steps', '-1'], message: 'expected --steps to be a positive integer, received -1' },
    {
      argv: ['--record-resolution', '4096'],
      message: 'expected --record-resolution to be an integer in [8, 2048], received 4096',
    },
    { argv: ['--record-policy', 'oldest'], message: 'invalid --record-policy: oldest; expected wait or newest' },
    {
      argv: ['--adv', 'fgsm-l2:eps=-0.5'],
      message: 'invalid --adv fgsm-l2:eps=-0.5: attack eps: -0.5; expected a number ≥ 0',
    },
    {
      argv: ['--eval-attack', 'strong:restarts=0'],
      message:
        'invalid --eval-attack strong:restarts=0: expected strong evaluation restarts to be a positive integer, received 0',
    },
  ])('train $argv', ({ argv, message }) => {
    expect(() => parseOptions(argv, TRAIN_OPTIONS)).toThrow(new InvalidArgumentError(message));
  });

  test.each([
    [
      'train',
      ['--slice-model', '/no/run'],
      'invalid --slice-model: /no/run: neither a checkpoint folder (with checkpoint.json) nor a run folder with checkpoints',
    ],
    [
      'train',
      ['--adv', 'pgd-linf:steps=0'],
      'invalid --adv pgd-linf:steps=0: attack steps: 0; expected a positive integer',
    ],
    [
      'train',
      ['--adv', 'pgd-lin'],
      'invalid --adv: attack: pgd-lin; expected pgd-linf, pgd-l2, fgsm-linf or fgsm-l2, optionally :eps=E,steps=N,step=S,seed=N,random=0|1; or none',
    ],
    [
      'train',
      ['--dataset', 'fashion'],
      'invalid --dataset: fashion; expected mnist, idx:FOLDER or cifar10:FOLDER|FILE.tar.gz',
    ],
    ['train', ['--record', '--wait'], 'unknown option: --wait; see --help'],
    ['train', ['--resume'], '--resume needs --out FOLDER naming the run to continue'],
    [
      'train',
      ['--adv', 'pgd-linf', '--mixup', '1'],
      '--adv and --mixup cannot be combined; choose one kind of training',
    ],
    ['eval', [], '--checkpoint PATH is required (a checkpoint or run folder)'],
    ['attack', ['--split', 'validation'], 'invalid --split: validation; expected test or train'],
    ['attack', ['--indices', '1,-2'], 'expected --indices to be comma-separated non-negative integers, received 1,-2'],
    [
      'attack',
      ['--targets', 'seven'],
      'expected --targets to be comma-separated non-negative integers, received seven',
    ],
    [
      'attack',
      ['--attack', 'none'],
      'invalid --attack: attack: none; expected pgd-linf, pgd-l2, fgsm-linf or fgsm-l2, optionally :eps=E,steps=N,step=S,seed=N,random=0|1; or auto',
    ],
    ['attack', ['--scale', '100'], 'expected --scale to be an integer in [1, 32], received 100'],
    ['slice', ['--mode', 'fulll'], 'invalid --mode: fulll; expected full or adaptive'],
    ['slice', ['--coarse', '3'], 'expected --coarse to be a power of two in [1, 64], received 3'],
    [
      'slice',
      ['--b', 'adv(test:0;pgd-linf:eps=-1)'],
      'invalid --b adv(test:0;pgd-linf:eps=-1): attack eps: -1; expected a number ≥ 0',
    ],
    [
      'slice',
      ['--c', 'adv(grey;pgd-linf;model=/no/run)'],
      'invalid --c adv(grey;pgd-linf;model=/no/run): /no/run: neither a checkpoint folder (with checkpoint.json) nor a run folder with checkpoints',
    ],
    [
      'slice',
      ['--a', 'test:x'],
      'invalid --a: point: test:x; the index must be a non-negative integer, got x (expected test:N, train:N, grey, random:SEED, noise(POINT;linf=M|l2=M;seed=S) or adv(POINT;ATTACK[;model=PATH][;target=C]))',
    ],
    [
      'church-window',
      ['--attack', 'pgd-l3'],
      'invalid --attack: attack: pgd-l3; expected pgd-linf, pgd-l2, fgsm-linf or fgsm-l2, optionally :eps=E,steps=N,step=S,seed=N,random=0|1',
    ],
    ['church-window', ['--count', '0'], 'expected --count to be an integer in [1, 100], received 0'],
    ['video', ['--fps', '0'], 'expected --fps to be an integer in [1, 240], received 0'],
    ['video', ['--palette', 'pink'], 'invalid --palette: pink; expected default or colour-blind'],
    ['slice', ['--palette', 'colourblind'], 'invalid --palette: colourblind; expected default or colour-blind'],
    ['video', ['--runs', 'a,,b'], 'invalid --runs: a,,b; expected run names separated by commas'],
    ['video', ['--store', '/no/store.db'], 'invalid --store: /no/store.db: no such file'],
    ['video', [], '--runs NAME[,NAME…] is required: the --out folders of recorded runs'],
    ['rerender', [], '--run NAME is required: the --out folder of a run recorded with --record'],
    ['demo', ['--steps', '-1'], 'expected --steps to be a positive integer, received -1'],
    ['demo', ['--backend', 'gpu'], 'invalid backend: gpu; expected one of tensorflow, webgpu, wasm, cpu'],
  ] as const)('%s %j', (command, argv, message) => {
    const options = COMMAND_OPTIONS[command] as CommandOptions<object>;
    expect(() => parseOptions(argv, options)).toThrow(new InvalidArgumentError(message));
  });

  test('the attack words and specs each option accepts', () => {
    expect(parseOptions(['--adv', 'none', '--eval-attack', 'none'], TRAIN_OPTIONS)).toMatchObject({ adv: 'none' });
    const specs = ['pgd-linf', 'fgsm-l2:eps=1', 'pgd-l2:eps=0.5,steps=3,step=0.1,seed=2,random=0'];
    for (const spec of specs) expect(parseOptions(['--adv', spec], TRAIN_OPTIONS).adv).toBe(spec);
    for (const spec of ['auto', 'none', 'strong-l2:iters=5,targets=0', 'pgd-linf:steps=5'])
      expect(EVAL_ATTACK.parse(spec, 'attack')).toBe(spec);
    expect(() => EVAL_ATTACK.parse('strong:iters=x', 'attack')).toThrow(
      'invalid --attack: attack parameter: iters=x in strong:iters=x; expected eps, iters, restarts, targets or seed with a number',
    );
  });
});

test("evaluationMode: the one mapping from --mode's words to the evaluator's mode", () => {
  expect(evaluationMode('full')).toEqual({ kind: 'full' });
  expect(evaluationMode('adaptive')).toEqual({ kind: 'adaptive', coarse: 4 });
  expect(evaluationMode('adaptive', 8)).toEqual({ kind: 'adaptive', coarse: 8 });
  expect(evaluationMode('temporal')).toEqual(TEMPORAL_DEFAULTS);
});
