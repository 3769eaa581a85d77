import { loadCheckpoint, resolveCheckpoint } from './checkpoint.js';
import { classifierOf, type Classifier } from './models/classifier.js';
import { ensemble } from './models/ensemble.js';

/**
 * A classifier from a checkpoint or run folder, or from several joined by `+`: an ensemble of
 * them (the mean of their probabilities). Returns the checkpoint folders it loaded.
 */
export async function loadClassifier(path: string): Promise<{ classifier: Classifier; checkpoints: string[] }> {
  const checkpoints = path.split('+').map((part) => resolveCheckpoint(part));
  const members = [];
  for (const checkpoint of checkpoints) members.push(classifierOf((await loadCheckpoint(checkpoint)).model));
  return { classifier: members.length === 1 ? members[0]! : ensemble(members), checkpoints };
}
