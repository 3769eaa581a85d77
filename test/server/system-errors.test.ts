import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { describeSystemError } from '../../server/system-errors.js';

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

test('file-system errors name the path and say what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-errors-'));
  const file = join(dir, 'file');
  writeFileSync(file, '');
  const underFile = caught(() => writeFileSync(join(file, 'run.json'), '{}'));
  expect(describeSystemError(underFile)).toBe(
    `${join(file, 'run.json')}: a part of the path is a file, not a folder (ENOTDIR: not a directory, open '${join(file, 'run.json')}')`,
  );
  const tooLong = caught(() => writeFileSync(join(dir, 'x'.repeat(300)), ''));
  expect(describeSystemError(tooLong)).toMatch(/: the path is too long; choose a shorter one \(ENAMETOOLONG/);
  expect(describeSystemError({ code: 'ENOSPC', path: '/data/run.mp4', message: 'no space left on device' })).toBe(
    '/data/run.mp4: the disk is full; free some space and run the command again (--resume continues a run) (no space left on device)',
  );
});

test('SQLite errors, extended codes included, say what to do; anything else is not described', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-errors-'));
  const notAStore = join(dir, 'notes.db');
  writeFileSync(
    notAStore,
    'these are not the pages of a database, but they are long enough to be read as one'.repeat(20),
  );
  const error = caught(() => new Database(notAStore).pragma('journal_mode = WAL'));
  expect(describeSystemError(error)).toMatch(/^the file is not a run store; check --store/);
  expect(describeSystemError({ code: 'SQLITE_FULL', message: 'database or disk is full' })).toBe(
    'the run store’s disk is full; free some space, then resume the run with --resume (database or disk is full)',
  );
  expect(
    describeSystemError({ code: 'EADDRINUSE', message: 'listen EADDRINUSE: address already in use 127.0.0.1:6280' }),
  ).toBe(
    'the port is in use (another slicewatch serve or demo?); pass --port N, or --port 0 for a free one (listen EADDRINUSE: address already in use 127.0.0.1:6280)',
  );
  expect(describeSystemError(new TypeError('x is undefined'))).toBeUndefined();
  expect(describeSystemError({ code: 'ERR_SOMETHING_ELSE' })).toBeUndefined();
});
