import type { RunId } from '../core/ids.js';
import { HEARTBEAT_INTERVAL_MS, type StoreWriter } from './types.js';

/** A running heartbeat; stop it before the run ends. */
export interface Heartbeat {
  stop(): void;
}

/**
 * Beats for a run this process owns, now and every `intervalMs` (HEARTBEAT_INTERVAL_MS by default),
 * so readers anywhere see it alive; the timer never keeps the process alive. A failed beat (the
 * store locked for longer than its busy timeout) goes to `onError` and the next tick tries again:
 * a writer whose beats keep failing reads as interrupted, which is the truth for a reader.
 */
export function startHeartbeat(
  writer: Pick<StoreWriter, 'heartbeat'>,
  runId: RunId,
  intervalMs = HEARTBEAT_INTERVAL_MS,
  onError: (error: Error) => void = () => {},
): Heartbeat {
  const beat = () => {
    try {
      writer.heartbeat(runId);
    } catch (error) {
      onError(error as Error);
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
