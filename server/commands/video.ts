import { renderVideo } from '../../app/render-video.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseOptions } from '../options.js';
import { encodingPrinter, formatVideoResult } from '../progress.js';
import { VIDEO_OPTIONS } from './video-options.js';

/**
 * `slicewatch video`: the recorded frames of one or more runs on one or more slices as an MP4,
 * side by side and synchronised by step (see renderVideo).
 */
export async function videoCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, VIDEO_OPTIONS);
  const store = SqliteStore.openExisting(config.store, { readonly: true });
  try {
    const printer = encodingPrinter(process.stdout);
    const result = await renderVideo(
      store,
      {
        runs: config.runs.split(','),
        sliceSet: config.sliceSet,
        slices: config.slices,
        time: config.time,
        frames: config.frames,
        fps: config.fps,
        scale: config.scale,
        palette: config.palette,
        out: config.out,
      },
      { onProgress: printer.onProgress },
    );
    printer.done();
    process.stdout.write(`${formatVideoResult(result)}\n`);
  } finally {
    store.close();
  }
}
