/**
 * The parts of the protocol that run in the browser as well as on the server, without zod: the
 * request limits and the packed body of frame rows. Environment-neutral. server/protocol.ts
 * re-exports them beside the schemas, which only the server evaluates (so the dashboard's bundle
 * carries no validator and needs no `eval`).
 */

/** The most steps one scalar request may span. */
export const MAX_SCALAR_SPAN = 100_000;
/** The most steps one frame request may span. */
export const MAX_FRAME_SPAN = 1000;
/**
 * The most steps one slice-metrics request may span: reading, decoding and measuring a recorded
 * 64×64 frame takes about 1 ms on the built server, so a full range (from its key frame) answers in
 * about 100 ms, under 200 ms with a cold start.
 */
export const MAX_METRIC_SPAN = 100;
/** The largest request body the server reads, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A stored frame in its encoding (slices/frame-codec.ts): a key frame or a delta on the previous row. */
export interface FrameRow {
  step: number;
  delta: boolean;
  data: Uint8Array;
}

/** The media type of a frame-range body: packed FrameRows (packFrameRows). */
export const FRAME_ROWS_TYPE = 'application/vnd.slicewatch.frames';

/**
 * Frame rows in one binary body: per row, the step as a float64, 1 if a delta else 0 as a byte, the
 * data length as a uint32 (all little-endian), then the data.
 */
export function packFrameRows(rows: readonly FrameRow[]): Uint8Array {
  const out = new Uint8Array(rows.reduce((n, r) => n + 13 + r.data.length, 0));
  const view = new DataView(out.buffer);
  let o = 0;
  for (const row of rows) {
    view.setFloat64(o, row.step, true);
    view.setUint8(o + 8, row.delta ? 1 : 0);
    view.setUint32(o + 9, row.data.length, true);
    out.set(row.data, o + 13);
    o += 13 + row.data.length;
  }
  return out;
}

/** The rows of a packFrameRows body (a Uint8Array, or the ArrayBuffer socket.io gives a browser); throws on a truncated one. */
export function unpackFrameRows(body: Uint8Array | ArrayBuffer): FrameRow[] {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: FrameRow[] = [];
  for (let o = 0; o < bytes.length;) {
    if (o + 13 > bytes.length) throw new Error(`invalid frame rows: truncated header at byte ${o}`);
    const length = view.getUint32(o + 9, true);
    if (o + 13 + length > bytes.length) throw new Error(`invalid frame rows: truncated data at byte ${o}`);
    rows.push({
      step: view.getFloat64(o, true),
      delta: view.getUint8(o + 8) === 1,
      data: bytes.slice(o + 13, o + 13 + length),
    });
    o += 13 + length;
  }
  return rows;
}
