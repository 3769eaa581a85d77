/**
 * The one dataset interface every source produces: images as uint8 pixels (0–255, divided by
 * 255 to give the paper's [0,1] hypercube), height × width × channels, row-major, and labels as
 * class indices.
 */
export interface Split {
  /** count × height × width × channels pixels, 0–255. */
  images: Uint8Array;
  /** count class indices. */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** The spec it was loaded from, e.g. `mnist` or `idx:/usr/share/datasets/fashion-mnist`. */
  spec: string;
  /** [height, width, channels]. */
  imageShape: [number, number, number];
  classNames: string[];
  train: Split;
  test: Split;
}

/** Number of values in one image (the dimension d of its hypercube). */
export function imageSize(dataset: Pick<Dataset, 'imageShape'>): number {
  const [h, w, c] = dataset.imageShape;
  return h * w * c;
}

/** Image `index` of a split as floats in [0,1]. */
export function imageAt(dataset: Pick<Dataset, 'imageShape'>, split: Split, index: number): Float32Array {
  const d = imageSize(dataset);
  const out = new Float32Array(d);
  const offset = index * d;
  for (let i = 0; i < d; i++) out[i] = split.images[offset + i]! / 255;
  return out;
}

export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
