import { InvalidArgumentError } from '../../core/errors.js';
import { loadCifar10 } from './cifar10.js';
import type { Dataset } from './dataset.js';
import { loadIdxFolder } from './idx.js';
import { loadEmbeddedMnist } from './mnist.js';

/** Loads a dataset from its spec: `mnist`, `idx:<folder>` or `cifar10:<folder or .tar.gz>`. */
export function loadDataset(spec: string): Dataset {
  if (spec === 'mnist') return loadEmbeddedMnist();
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const path = colon < 0 ? '' : spec.slice(colon + 1);
  if (path !== '' && kind === 'idx') return loadIdxFolder(path);
  if (path !== '' && kind === 'cifar10') return loadCifar10(path);
  throw new InvalidArgumentError(
    `invalid dataset: ${spec}; expected mnist, idx:<folder> or cifar10:<folder or .tar.gz>`,
  );
}
