import { SlicewatchError } from '../core/errors.js';

/** The store could not be opened or used, or holds no such record (code STORE). */
export class StoreError extends SlicewatchError {
  constructor(message: string) {
    super('STORE', message);
  }
}
