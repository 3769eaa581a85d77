import { join } from 'node:path';
import { readRunJson } from '../../app/run-export.js';
import { startReplication, type Replication } from '../../app/replicate.js';
import { runSession } from '../../app/train-session.js';
import { timestamp } from '../../core/timestamp.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseOptions } from '../options.js';
import { progressPrinter } from '../progress.js';
import { startBackend } from './common.js';
import { evaluationMode } from './common-options.js';
import { runConfigOf, TRAIN_OPTIONS } from './train-options.js';

/** `slicewatch train`: a training run with progress, evaluations and checkpoints, or its resumption. */
export async function trainCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, TRAIN_OPTIONS);
  const given = new Set(argv.map((a) => a.replace(/^--/, '').split('=')[0]));
  const out = config.out || join('runs', timestamp(new Date()));
  // Resuming: the run's own store (its run.json says which) unless --store names another.
  const exported = config.resume ? readRunJson(out) : undefined;
  // Recording to a server: the run is trained into a spool in its folder, which is replicated.
  const spool = config.server ? join(out, 'spool.db') : undefined;
  const store = spool ?? (exported && !given.has('store') ? exported.store : config.store);
  const backend = await startBackend(config.backend);
  // Ctrl-C or a job's stop: finish the step, checkpoint, end the run `stopped`; a second one kills.
  const stop = new AbortController();
  const stopNow = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stdout.write('stopping after this step (again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', stopNow);
  process.on('SIGTERM', stopNow);
  process.stdout.write(`run folder: ${out}\n`);
  const print = progressPrinter(process.stdout, Math.max(1, Math.round(config.steps / 20)));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let remote: { spool: SqliteStore; replication: Replication } | undefined;
  // The spool exists once the session has started; replication reads it from its first commit.
  const startRemote = (path: string) => {
    const reader = SqliteStore.openExisting(path, { readonly: true });
    const replication = startReplication({
      spool: reader,
      runName: out,
      url: config.server,
      token: config.token,
      onStatus: (status) => {
        if (status.kind === 'connected') log(`recording to ${config.server}`);
        if (status.kind === 'disconnected')
          log(`${config.server} unreachable (${status.reason}); spooling to ${path}, ${status.backlog} records behind`);
        if (status.kind === 'failed') {
          log(status.error.message);
          if (!stop.signal.aborted) stop.abort();
        }
      },
    });
    remote = { spool: reader, replication };
  };
  let failure: { error: unknown } | undefined;
  await runSession(
    {
      config: runConfigOf(config),
      ...(config.resume
        ? {
            length: {
              ...(given.has('steps') ? { steps: config.steps } : {}),
              ...(given.has('epochs') ? { epochs: config.epochs } : {}),
            },
          }
        : {}),
      out,
      store,
      resume: config.resume,
      backend,
      ...(config.record
        ? {
            recording: {
              sliceSet: config.sliceSet,
              resolution: config.recordResolution,
              mode: evaluationMode(config.recordMode),
              policy: config.recordPolicy,
              every: config.recordEvery,
              sliceModel: config.sliceModel,
            },
          }
        : {}),
    },
    {
      onEvent: (event) => {
        if (event.kind === 'start' && spool !== undefined && remote === undefined) startRemote(spool);
        print(event);
      },
      log,
      signal: stop.signal,
    },
  )
    .catch((error: unknown) => {
      failure = { error };
    })
    .finally(() => {
      process.off('SIGINT', stopNow);
      process.off('SIGTERM', stopNow);
    });
  if (remote !== undefined) {
    // The process must not exit with a backlog: wait (bounded) until the server has every record.
    await remote.replication
      .flush()
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(async () => {
        await remote?.replication.close();
        remote?.spool.close();
      });
  }
  if (failure !== undefined) throw failure.error;
}
