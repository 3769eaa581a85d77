import { SlicewatchError } from '../core/errors.js';
import { describeSystemError } from './system-errors.js';
import { formatOptions } from './options.js';
import { attackCommand } from './commands/attack.js';
import { churchWindowCommand } from './commands/church-window.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { DOCTOR_OPTIONS } from './commands/doctor-options.js';
import { evalCommand } from './commands/eval.js';
import { rerenderCommand } from './commands/rerender.js';
import { serveCommand } from './commands/serve.js';
import { sliceCommand } from './commands/slice.js';
import { trainCommand } from './commands/train.js';
import { videoCommand } from './commands/video.js';
import { COMMAND_OPTIONS } from './commands/options.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; summary: string; options: string }> = {
  demo: {
    run: demoCommand,
    summary: 'the main job (npm start): baseline and Madry CNNs recorded on a slice set, side-by-side MP4s',
    options: formatOptions(COMMAND_OPTIONS.demo),
  },
  train: {
    run: trainCommand,
    summary: 'train a model (plain, adversarial or mixup), with progress, test and robust accuracy, checkpoints',
    options: formatOptions(COMMAND_OPTIONS.train),
  },
  eval: {
    run: evalCommand,
    summary: 'test accuracy of a checkpoint, and robust accuracy under an attack',
    options: formatOptions(COMMAND_OPTIONS.eval),
  },
  slice: {
    run: sliceCommand,
    summary: 'the decision regions on the plane through three points: PNG and JSON',
    options: formatOptions(COMMAND_OPTIONS.slice),
  },
  'church-window': {
    run: churchWindowCommand,
    summary: "the paper's Figure 4: local windows, adversarial vs random and random vs random directions",
    options: formatOptions(COMMAND_OPTIONS['church-window']),
  },
  video: {
    run: videoCommand,
    summary: 'MP4 of recorded runs on recorded slices, side by side and synchronised by step',
    options: formatOptions(COMMAND_OPTIONS.video),
  },
  rerender: {
    run: rerenderCommand,
    summary: "a slice chosen after training, rendered through a recorded run's weight snapshots",
    options: formatOptions(COMMAND_OPTIONS.rerender),
  },
  attack: {
    run: attackCommand,
    summary: 'adversarial examples for chosen images: PNGs, raw vectors and a report',
    options: formatOptions(COMMAND_OPTIONS.attack),
  },
  serve: {
    run: serveCommand,
    summary: 'serve a run store over HTTP with live push (REST under /api, socket.io); prints the URL to open',
    options: formatOptions(COMMAND_OPTIONS.serve),
  },
  doctor: {
    run: doctorCommand,
    summary: 'which compute backends work here (GPU through WebGPU/Vulkan, wasm, …), why not, and the fix for each',
    options: formatOptions(DOCTOR_OPTIONS),
  },
};

const USAGE = `slicewatch: watch a classifier's decision regions change while it learns

usage: slicewatch <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}
  help           show this text

${Object.entries(COMMANDS)
  .map(([name, c]) => `slicewatch ${name} options:\n${c.options}`)
  .join('\n\n')}

environment:
  SLICEWATCH_BACKEND   force a compute backend (tensorflow, webgpu, wasm, cpu), like --backend
  SLICEWATCH_WEBGPU_SOFTWARE  1: let webgpu run on a software adapter (lavapipe; slow, for tests)
  SLICEWATCH_THREADS   wasm backend threads, 1 to 8 (default: one per core)
  SLICEWATCH_DEBUG     print stack traces of internal errors
`;

/** Runs one CLI command; returns the process exit code (0 ok, 1 user error, 2 usage, 70 internal). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`slicewatch: unknown command ${name}; try slicewatch --help\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: slicewatch ${name} [options]\n${command.summary}\n\n${command.options}\n`);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof SlicewatchError) {
      process.stderr.write(`slicewatch: ${error.message}\n`);
      return 1;
    }
    const system = describeSystemError(error);
    if (system !== undefined) {
      process.stderr.write(`slicewatch: ${system}\n`);
      return 1;
    }
    process.stderr.write(`slicewatch: internal error: ${(error as Error).message}\n`);
    if (process.env['SLICEWATCH_DEBUG']) process.stderr.write(`${(error as Error).stack}\n`);
    return 70;
  }
}
