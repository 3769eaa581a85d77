/** Type-level checks of the shared protocol: the compiler rejects unknown events and wrong payloads (tsc only). */
import type { Socket } from 'socket.io-client';
import type { JobRequest } from '../../server/job-types.js';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SliceMetricSeries,
  SliceSetDto,
  WatchAck,
} from '../../server/protocol.js';

declare const socket: Socket<ServerToClientEvents, ClientToServerEvents>;

export async function typed(): Promise<void> {
  const reply: WatchAck = await socket.emitWithAck('run:watch', { runId: 1, fromStep: 3 });
  if (reply.ok) {
    const step: number = reply.run.step;
    void step;
  } else {
    const code: string = reply.error.code;
    void code;
  }
  socket.on('scalar:new', (push) => {
    const loss: number | undefined = push.values['loss'];
    void loss;
  });
  socket.on('frame:new', (push, received) => {
    const base: number | null = push.base;
    void base;
    received();
  });
  // @ts-expect-error an unknown event
  socket.emit('run:wach', { runId: 1 });
  // @ts-expect-error fromStep is a number
  await socket.emitWithAck('run:watch', { runId: 1, fromStep: '3' });
  // @ts-expect-error the server pushes run:status, the client never sends it
  socket.emit('run:status', {});
}

export function dashboardPayloads(set: SliceSetDto, series: SliceMetricSeries): void {
  const name: string | undefined = set.classNames[0];
  const [height, width, channels]: [number, number, number] = set.imageShape;
  const area: number[] | undefined = series.area[0];
  void [name, height, width, channels, area];
  const video: JobRequest = {
    kind: 'video',
    runs: ['runs/base'],
    slices: 'all',
    time: 'every',
    frames: 240,
    fps: 24,
    scale: 4,
    palette: 'colour-blind',
    from: 100,
    to: 200,
  };
  // @ts-expect-error a palette is default or colour-blind
  const pink: JobRequest = { ...video, palette: 'pink' };
  void pink;
}
