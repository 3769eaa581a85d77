/** Type-level checks of the shared protocol: the compiler rejects unknown events and wrong payloads (tsc only). */
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from '../../server/protocol.js';

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
