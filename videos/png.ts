import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * Encodes RGB pixels (width × height × 3 bytes, row-major, top row first) as an 8-bit truecolour
 * PNG, each row with filter type 0.
 */
export function encodePng(rgb: Uint8Array, width: number, height: number): Buffer {
  if (rgb.length !== width * height * 3) {
    throw new Error(`expected ${width * height * 3} RGB bytes for ${width}x${height}, received ${rgb.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0;
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * An image of [0,1] values (height × width × channels, 1 or 3 channels) as RGB bytes, each pixel
 * repeated scale × scale times (nearest neighbour, no smoothing).
 */
export function imageToRgb(
  image: Float32Array,
  shape: readonly [number, number, number],
  scale: number,
): { rgb: Uint8Array; width: number; height: number } {
  const [h, w, c] = shape;
  const width = w * scale;
  const height = h * scale;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = (Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
      for (let k = 0; k < 3; k++) {
        const v = image[source + (c === 1 ? 0 : k)]!;
        rgb[(y * width + x) * 3 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    }
  }
  return { rgb, width, height };
}
