import type { VideoResult } from '../app/render-video.js';
import type { TrainEvent } from '../trainer/run.js';

/** Formats seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;

/** One line describing a training event. */
export function formatTrainEvent(event: TrainEvent): string {
  switch (event.kind) {
    case 'start':
      return event.resumedAt > 0
        ? `resuming at step ${event.resumedAt} of ${event.totalSteps} (${event.stepsPerEpoch} steps per epoch, ${event.parameters.toLocaleString('en-US')} parameters)`
        : `training ${event.totalSteps} steps (${event.stepsPerEpoch} steps per epoch, ${event.parameters.toLocaleString('en-US')} parameters)`;
    case 'step': {
      const { step, epoch, loss, lr, attackMs } = event.result;
      return (
        `step ${step}/${event.totalSteps}  epoch ${epoch.toFixed(2)}  loss ${loss.toFixed(4)}  lr ${lr.toPrecision(3)}  ` +
        `${Math.round(event.examplesPerSecond)} img/s${attackMs > 0 ? `  attack ${Math.round(attackMs)} ms` : ''}  ETA ${formatDuration(event.etaSeconds)}`
      );
    }
    case 'eval': {
      const clean = `step ${event.step}: test accuracy ${percent(event.testAccuracy)} on ${event.images} images`;
      const robust = event.robust;
      return robust
        ? `${clean}; robust accuracy ${percent(robust.robustAccuracy)} on ${robust.count} under ${robust.attack}`
        : clean;
    }
    case 'checkpoint':
      return `step ${event.step}: checkpoint ${event.path}`;
    case 'stopped':
      return `stopped at step ${event.step} of ${event.totalSteps}; continue with --resume`;
    case 'done':
      return `done: ${event.step} steps in ${formatDuration(event.seconds)}, test accuracy ${percent(event.testAccuracy)}`;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/**
 * Prints training progress: on a terminal one step line rewritten in place; otherwise a plain
 * line every `every` steps. Other events always get their own line.
 */
export function progressPrinter(stream: NodeJS.WriteStream, every: number): (event: TrainEvent) => void {
  const tty = stream.isTTY === true;
  let pending = false;
  return (event) => {
    const line = formatTrainEvent(event);
    if (event.kind === 'step') {
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        pending = true;
      } else if (event.result.step % every === 0 || event.result.step === event.totalSteps) {
        stream.write(`${line}\n`);
      }
      return;
    }
    stream.write(`${pending ? '\r\x1b[2K' : ''}${line}\n`);
    pending = false;
  };
}

/**
 * Prints an encoding's progress: in place on a terminal, else about ten lines; then `done()` ends
 * the line on a terminal.
 */
export function encodingPrinter(stream: NodeJS.WriteStream): {
  onProgress: (progress: { written: number; total: number }) => void;
  done: () => void;
} {
  const started = performance.now();
  const tty = stream.isTTY === true;
  return {
    onProgress: ({ written, total }) => {
      if (!tty && written % Math.max(1, Math.round(total / 10)) !== 0 && written !== total) return;
      const elapsed = (performance.now() - started) / 1000;
      const line = `encoding ${written}/${total} frames  ${(written / Math.max(elapsed, 1e-9)).toFixed(0)} frames/s  ETA ${formatDuration((elapsed / written) * (total - written))}`;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done: () => {
      if (tty) stream.write('\n');
    },
  };
}

/** The line that says a video was written. */
export function formatVideoResult(result: VideoResult): string {
  return `wrote ${result.file}: ${result.frames} frames, ${result.width}x${result.height}, ${result.fps} fps (steps ${result.firstStep}-${result.lastStep}), encoded by ${result.ffmpeg.source} (${result.ffmpeg.path})`;
}
