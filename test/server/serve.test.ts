import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SqliteStore } from '../../store/sqlite-store.js';
import { newRun } from '../fixtures/store.js';

const ROOT = join(import.meta.dirname, '../..');

/** A store holding one run named `served`. */
function storeWithRun(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'slicewatch-serve-cli-')), 's.db');
  const store = new SqliteStore(path);
  store.createRun(newRun('served', null, 3));
  store.close();
  return path;
}

test('serve refuses a non-loopback address without a token: exit 1, one line saying what to add', () => {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'server/bin.ts', 'serve', '--host', '0.0.0.0', '--store', storeWithRun()],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(result.stderr).toMatch(/^slicewatch: refusing to listen on 0\.0\.0\.0 without a token: .*--token SECRET.*\n$/);
  expect(result.status).toBe(1);
});

test('serve --port 0 prints the URL to open, serves the store, and ends cleanly on SIGTERM', async () => {
  const store = storeWithRun();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/bin.ts', 'serve', '--port', '0', '--store', store],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const url = /at (http:\/\/127\.0\.0\.1:\d+\/)\n$/.exec(line.toString())?.[1];
  expect(line.toString()).toContain(`slicewatch serving ${store} at http://127.0.0.1:`);
  const runs = (await (await fetch(`${url}api/runs`)).json()) as { name: string }[];
  expect(runs.map((r) => r.name)).toEqual(['served']);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
}, 60_000);
