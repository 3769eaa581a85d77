import { join } from 'node:path';
import { backendFromEnv, initBackend, toBackendKind, type BackendInfo } from '../trainer/backend.js';
import { SlicewatchError } from '../trainer/errors.js';
import { readRunRecord, runTraining } from '../trainer/run.js';
import { formatOptions, parseFlags } from './args.js';
import { TRAIN_DEFAULTS, TRAIN_OPTIONS, validateTrainConfig, type TrainCommandConfig } from './config.js';
import { progressPrinter } from './progress.js';

const USAGE = `slicewatch: watch a classifier's decision regions change while it learns

usage: slicewatch <command> [options]

commands:
  train    train a model, with progress, test accuracy and checkpoints
  help     show this text

slicewatch train options:
${formatOptions(TRAIN_DEFAULTS, TRAIN_OPTIONS)}

environment:
  SLICEWATCH_BACKEND   force a compute backend (tensorflow, wasm, cpu), like --backend
`;

async function startBackend(flag: TrainCommandConfig['backend']): Promise<BackendInfo> {
  const forced = flag === 'auto' ? backendFromEnv() : toBackendKind(flag);
  const backend = await initBackend(forced);
  for (const warning of backend.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`backend: ${backend.kind} — ${backend.detail}\n`);
  return backend;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function train(argv: string[]): Promise<void> {
  let config = parseFlags(argv, TRAIN_DEFAULTS, TRAIN_OPTIONS);
  if (config.backend !== 'auto') toBackendKind(config.backend);
  validateTrainConfig(config);
  if (config.resume) {
    // The stored run defines the run; only its length can be extended from the command line.
    const stored = readRunRecord(config.out).config;
    const given = new Set(argv.map((a) => a.replace(/^--/, '').split('=')[0]));
    config = {
      ...config,
      ...stored,
      steps: given.has('steps') ? config.steps : stored.steps,
      epochs: given.has('epochs') ? config.epochs : stored.epochs,
    };
  }
  const out = config.out || join('runs', timestamp(new Date()));
  const backend = await startBackend(config.backend);
  process.stdout.write(`run folder: ${out}\n`);
  const { backend: _backend, out: _out, resume, ...runConfig } = config;
  const every = Math.max(1, Math.round(config.steps / 20));
  await runTraining(runConfig, { out, backend, resume, onEvent: progressPrinter(process.stdout, every) });
}

/** Runs one CLI command; returns the process exit code (0 ok, 1 user error, 2 usage, 70 internal). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        if (rest.includes('--help') || rest.includes('-h')) break;
        await train(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        break;
      default:
        process.stderr.write(`slicewatch: unknown command ${command}; try slicewatch --help\n`);
        return 2;
    }
    process.stdout.write(USAGE);
    return 0;
  } catch (error) {
    if (error instanceof SlicewatchError) {
      process.stderr.write(`slicewatch: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`slicewatch: internal error: ${(error as Error).message}\n`);
    if (process.env['SLICEWATCH_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
    return 70;
  }
}
