/** What the operating system's and SQLite's error codes mean for a user, and what to do. */
const MEANINGS: Record<string, string> = {
  ENOSPC: 'the disk is full; free some space and run the command again (--resume continues a run)',
  EDQUOT: 'the disk quota is used up; free some space and run the command again',
  ENAMETOOLONG: 'the path is too long; choose a shorter one',
  EACCES: 'permission denied; choose a folder you can write to',
  EPERM: 'operation not permitted; choose a folder you can write to',
  EROFS: 'the file system is read-only; choose another folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'the path is a folder; give a file name',
  EMFILE: 'too many open files; close other programs or raise the limit (ulimit -n)',
  EADDRINUSE: 'the port is in use (another slicewatch serve or demo?); pass --port N, or --port 0 for a free one',
  EADDRNOTAVAIL: 'this machine has no such address; check --host',
  SQLITE_FULL: 'the run store’s disk is full; free some space, then resume the run with --resume',
  SQLITE_READONLY: 'the run store is read-only; choose a store you can write to (--store)',
  SQLITE_CORRUPT: 'the run store file is damaged; restore it from a copy or start a new one with --store',
  SQLITE_NOTADB: 'the file is not a run store; check --store',
  SQLITE_CANTOPEN: 'the run store cannot be opened; check --store and the folder’s permissions',
};

/**
 * A one-line message for an error from the file system or SQLite that reached the CLI without being
 * turned into a SlicewatchError on the way, naming the file where the error knows it; undefined
 * for anything else (a bug, reported as an internal error).
 */
export function describeSystemError(error: unknown): string | undefined {
  const { code, path, message } = error as { code?: unknown; path?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  const meaning = MEANINGS[code] ?? MEANINGS[code.replace(/_[A-Z]+$/, '')];
  if (meaning === undefined) return undefined;
  const where = typeof path === 'string' ? `${path}: ` : '';
  const detail = typeof message === 'string' ? ` (${message.split('\n')[0]})` : '';
  return `${where}${meaning}${detail}`;
}
