/**
 * Errors the user can act on. Each has a stable `code`; its message says what is wrong and how to
 * fix it in one line. The CLI prints the message (no stack) and exits non-zero.
 */
export class SlicewatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A forced compute backend (flag or SLICEWATCH_BACKEND) that cannot be loaded here. */
export class BackendUnavailableError extends SlicewatchError {
  constructor(message: string) {
    super('BACKEND_UNAVAILABLE', message);
  }
}

/** A dataset file that is missing, truncated or not in the expected format. */
export class DatasetFormatError extends SlicewatchError {
  constructor(file: string, problem: string) {
    super('DATASET_FORMAT', `${file}: ${problem}`);
  }
}

/** A value outside what an option accepts. */
export class InvalidArgumentError extends SlicewatchError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Training produced a non-finite loss. */
export class TrainingDivergedError extends SlicewatchError {
  constructor(step: number, loss: number) {
    super(
      'TRAINING_DIVERGED',
      `training diverged: loss is ${loss} at step ${step}; lower the learning rate (--lr) or check the data`,
    );
  }
}

/** A checkpoint folder that is missing or incomplete. */
export class CheckpointError extends SlicewatchError {
  constructor(message: string) {
    super('CHECKPOINT', message);
  }
}
