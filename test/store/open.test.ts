import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { StoreError } from '../../store/errors.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { newRun } from '../fixtures/store.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'slicewatch-open-'));

test('opening a store that must exist fails with one line naming the path, and creates nothing', () => {
  const path = join(tempDir(), 'missing.db');
  const message = `no run store at ${path}; record a run with slicewatch train --record or pass --store`;
  expect(() => SqliteStore.openExisting(path, { readonly: true })).toThrow(StoreError);
  expect(() => SqliteStore.openExisting(path, { readonly: true })).toThrow(message);
  expect(() => SqliteStore.openExisting(path)).toThrow(message);
  expect(existsSync(path)).toBe(false);
});

test('a file that is not a run store is named as such', () => {
  const path = join(tempDir(), 'empty.db');
  writeFileSync(path, '');
  expect(() => SqliteStore.openExisting(path, { readonly: true })).toThrow(`${path} is not a slicewatch run store`);
});

test('a read-only store refuses writes', () => {
  const path = join(tempDir(), 's.db');
  new SqliteStore(path).close();
  const reader = SqliteStore.openExisting(path, { readonly: true });
  expect(() => reader.createRun(newRun('r', null))).toThrow(/readonly/);
  reader.close();
});

test('slicewatch video on a missing store fails in one line naming it, and creates no store', () => {
  const dir = tempDir();
  const store = join(dir, 'missing.db');
  const args = ['video', '--store', store, '--runs', 'r', '--out', join(dir, 'x.mp4')];
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/bin.ts', ...args], {
    cwd: join(import.meta.dirname, '../..'),
    encoding: 'utf8',
  });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(store);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(existsSync(store)).toBe(false);
});
