import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../../core/rng.js';
import { SlicewatchBatchNormalization } from './batch-norm.js';

export interface WideResNetOptions {
  /** Total depth d = 6n + 4, n blocks per group. */
  depth: number;
  /** Width factor k: the groups have 16k, 32k and 64k channels. */
  width: number;
  /** Dropout rate between the two convolutions of a block (0 = none). */
  dropout: number;
}

/**
 * Wide ResNet WRN-d-k with pre-activation blocks (BN – ReLU – conv 3×3, twice, dropout between),
 * stride 2 at the start of groups 2 and 3, 1×1 projection shortcuts where the shape changes,
 * then BN – ReLU – global average pooling – linear logits. Convolutions have no bias, as in the
 * reference implementation, so WRN-28-10 has 36,479,194 trainable parameters.
 */
export function buildWideResNet(
  inputShape: [number, number, number],
  classes: number,
  options: WideResNetOptions,
  seed: number,
): tf.LayersModel {
  const blocks = (options.depth - 4) / 6;
  let layerIndex = 0;
  const conv = (filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: mixSeed(seed, ++layerIndex) }),
    });
  const bnRelu = (x: tf.SymbolicTensor) =>
    tf.layers
      .activation({ activation: 'relu' })
      .apply(new SlicewatchBatchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(x)) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape });
  let x = conv(16, 3, 1).apply(input) as tf.SymbolicTensor;
  let channels = 16;
  [16, 32, 64].forEach((base, group) => {
    const filters = base * options.width;
    for (let b = 0; b < blocks; b++) {
      const stride = group > 0 && b === 0 ? 2 : 1;
      const preActivated = bnRelu(x);
      let y = conv(filters, 3, stride).apply(preActivated) as tf.SymbolicTensor;
      y = bnRelu(y);
      if (options.dropout > 0) y = tf.layers.dropout({ rate: options.dropout }).apply(y) as tf.SymbolicTensor;
      y = conv(filters, 3, 1).apply(y) as tf.SymbolicTensor;
      const shortcut =
        stride !== 1 || channels !== filters ? (conv(filters, 1, stride).apply(preActivated) as tf.SymbolicTensor) : x;
      x = tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor;
      channels = filters;
    }
  });
  x = tf.layers.globalAveragePooling2d({}).apply(bnRelu(x)) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: classes,
      kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, ++layerIndex) }),
      name: 'logits',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: `wrn-${options.depth}-${options.width}` });
}
