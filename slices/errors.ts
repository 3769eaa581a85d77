import { SlicewatchError } from '../core/errors.js';

/** Points that do not determine a plane: coincident or collinear (code SLICE_DEGENERATE). */
export class SliceDegenerateError extends SlicewatchError {
  constructor(message: string) {
    super('SLICE_DEGENERATE', message);
  }
}

/** Points that are not in [0,1]^d, or of different dimensions (code SLICE_INPUT). */
export class SliceInputError extends SlicewatchError {
  constructor(message: string) {
    super('SLICE_INPUT', message);
  }
}
