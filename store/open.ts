import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { StoreError } from './errors.js';
import { MIGRATE_1_TO_2, SCHEMA, SCHEMA_VERSION } from './schema.js';

/** How to open a store file. */
export interface OpenOptions {
  /** Open for reading only: nothing is ever written, and the file must exist. */
  readonly?: boolean;
  /** Fail with StoreError instead of creating a missing file. */
  mustExist?: boolean;
}

/** The message for a store file that is not there, naming the path and how to make one. */
export const missingStoreMessage = (path: string) =>
  `no run store at ${path}; record a run with slicewatch train --record or pass --store`;

/** The schema version of an open store, or undefined for a file that holds no store yet. */
function versionOf(db: Database.Database): number | undefined {
  const meta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (meta === undefined) return undefined;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row === undefined ? undefined : Number(row.value);
}

const tooNew = (path: string, version: number) =>
  new StoreError(
    `${path}: store schema version ${version}, this slicewatch reads up to version ${SCHEMA_VERSION}; update slicewatch`,
  );

/** Creates the schema of a new file or migrates an older one, in one immediate transaction. */
function prepareForWriting(db: Database.Database, path: string): void {
  db.pragma('journal_mode = WAL');
  if (versionOf(db) === SCHEMA_VERSION) return;
  // Rebuilding runs drops the table other tables refer to; foreign keys can only be switched outside a transaction.
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Checked again under the write lock: another process may have migrated the file meanwhile.
      const version = versionOf(db);
      if (version === undefined) db.exec(SCHEMA);
      else if (version === 1) db.exec(MIGRATE_1_TO_2);
      else if (version !== SCHEMA_VERSION) throw tooNew(path, version);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new StoreError(`${path}: ${broken.length} rows refer to missing records`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

/**
 * Opens a store file: WAL mode, a five-second wait for a writer's lock, foreign keys on, the schema
 * created or migrated to the current version. A read-only open never writes, except that a file of
 * an older schema version is first migrated once through a writing connection.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  const readonly = options.readonly === true;
  if ((readonly || options.mustExist === true) && (path === ':memory:' || !existsSync(path))) {
    throw new StoreError(missingStoreMessage(path));
  }
  const open = (ro: boolean) => {
    const db = new Database(path, { readonly: ro, fileMustExist: ro });
    db.pragma('busy_timeout = 5000');
    if (!ro) db.pragma('foreign_keys = ON');
    return db;
  };
  let db: Database.Database | undefined;
  try {
    db = open(readonly);
    if (!readonly) {
      prepareForWriting(db, path);
      return db;
    }
    const version = versionOf(db);
    if (version === undefined) throw new StoreError(`${path} is not a slicewatch run store`);
    if (version > SCHEMA_VERSION) throw tooNew(path, version);
    if (version < SCHEMA_VERSION) {
      db.close();
      const writer = open(false);
      try {
        prepareForWriting(writer, path);
      } finally {
        writer.close();
      }
      db = open(true);
    }
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${path}: cannot open the run store (${(error as Error).message})`);
  }
}
