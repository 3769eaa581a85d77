import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, SlicewatchError } from '../core/errors.js';

/**
 * Command-line options typed by a command's config: one row per config key with its flag, a
 * placeholder, a help sentence and a kind saying which values are allowed. Parsing checks every
 * value against its kind, so a bad value is a one-line InvalidArgumentError naming the flag, the
 * value and what is allowed, thrown before the command reads or writes anything.
 */

/** A whole number in [min, max]; max may be Infinity. */
export interface IntKind {
  kind: 'int';
  min: number;
  max: number;
}

/** A finite number in [min, max]; max may be Infinity. */
export interface NumberKind {
  kind: 'number';
  min: number;
  max: number;
}

/** One word of a fixed list. */
export interface EnumKind<T extends string> {
  kind: 'enum';
  values: readonly T[];
}

/** Any text. */
export interface StringKind {
  kind: 'string';
}

/**
 * A file or folder, never empty: `input-file` must exist as a file; `output-file` and
 * `output-folder` are created if absent, so when present they must be of that type; `output-prefix`
 * is the start of the names of files written next to each other (PATH.png, PATH.json).
 */
export interface PathKind {
  kind: 'path';
  role: 'input-file' | 'output-file' | 'output-folder' | 'output-prefix';
}

/** A flag without a value; present means true. */
export interface SwitchKind {
  kind: 'switch';
}

/**
 * Text read by a parser of its own, which throws InvalidArgumentError naming the flag for what it
 * does not accept; `format` writes a value back as that text (for the default in --help).
 */
export interface CustomKind<T> {
  kind: 'custom';
  parse: (text: string, flag: string) => T;
  format?: (value: T) => string;
}

/** The kinds a config value of type T may be read with. */
export type KindFor<T> = [T] extends [boolean]
  ? SwitchKind
  : [T] extends [number]
    ? IntKind | NumberKind | CustomKind<T>
    : [T] extends [string]
      ? string extends T
        ? StringKind | PathKind | CustomKind<T>
        : EnumKind<T> | CustomKind<T>
      : CustomKind<T>;

/** One row of an option table. */
export type OptionRow<T> = {
  /** The flag without its dashes: `record-mode` for `--record-mode`. */
  flag: string;
  /** Placeholder for the value in --help; absent for switches. */
  arg?: string;
  /** One sentence with units; --help adds the default and a numeric range. */
  help: string;
  /** When set, the option must be given; the message says what to add. */
  required?: string;
} & KindFor<T>;

/** Every key of a config has a row (a mapped type with `-?`, as vitest's CLIOptions). */
export type OptionTable<C> = { [K in keyof C]-?: OptionRow<C[K]> };

/** A command's options: defaults, the table, and checks that involve more than one option. */
export interface CommandOptions<C> {
  defaults: C;
  table: OptionTable<C>;
  /** Throws InvalidArgumentError for combinations of values that do not go together. */
  check?: (config: C) => void;
}

/** Runs a parser whose errors do not name the flag, naming it: `invalid --adv pgd-linf:eps=-1: attack eps: …`. */
export function withFlag<T>(flag: string, text: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof SlicewatchError)) throw error;
    const problem = error.message.replace(/^invalid /, '');
    const head = problem.includes(text) ? `invalid --${flag}` : `invalid --${flag} ${text}`;
    throw new InvalidArgumentError(`${head}: ${problem}`);
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** What a numeric kind allows, in words: "a positive integer", "an integer in [8, 2048]". */
export function describeRange(kind: IntKind | NumberKind): string {
  const noun = kind.kind === 'int' ? 'integer' : 'number';
  const article = kind.kind === 'int' ? 'an' : 'a';
  if (Number.isFinite(kind.max)) return `${article} ${noun} in [${kind.min}, ${kind.max}]`;
  if (kind.kind === 'int' && kind.min === 1) return 'a positive integer';
  if (kind.min === 0) return `a non-negative ${noun}`;
  return `${article} ${noun} ≥ ${kind.min}`;
}

/** Reads a number of a numeric kind; throws "expected --FLAG to be …, received TEXT". */
export function readNumber(flag: string, text: string, kind: IntKind | NumberKind): number {
  const value = NUMBER.test(text.trim()) ? Number(text) : NaN;
  if (Number.isNaN(value) && kind.kind === 'number')
    throw new InvalidArgumentError(`expected --${flag} to be a number, received ${text}`);
  const whole = kind.kind === 'number' || Number.isInteger(value);
  if (!whole || !(value >= kind.min && value <= kind.max))
    throw new InvalidArgumentError(`expected --${flag} to be ${describeRange(kind)}, received ${text}`);
  return value;
}

/** "a, b or c". */
export function listWords(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

function readPath(flag: string, text: string, role: PathKind['role']): string {
  if (text === '') throw new InvalidArgumentError(`expected --${flag} to be a path, received nothing`);
  const stat = existsSync(text) ? statSync(text) : undefined;
  if (role === 'input-file' && stat === undefined)
    throw new InvalidArgumentError(`invalid --${flag}: ${text}: no such file`);
  const wantFolder = role === 'output-folder';
  if (stat !== undefined && role !== 'output-prefix' && stat.isDirectory() !== wantFolder)
    throw new InvalidArgumentError(
      `invalid --${flag}: ${text} is a ${stat.isDirectory() ? 'folder' : 'file'}; expected a ${wantFolder ? 'folder' : 'file'}`,
    );
  return text;
}

/** Any row's kind, for code that handles every kind. */
type AnyKind = IntKind | NumberKind | EnumKind<string> | StringKind | PathKind | SwitchKind | CustomKind<unknown>;
const kindOf = <T>(row: OptionRow<T>) => row as unknown as AnyKind & Omit<OptionRow<T>, 'kind'>;

/** Reads one value of a row's kind from its text. */
function readValue<T>(row: OptionRow<T>, text: string): unknown {
  const kind = kindOf(row);
  switch (kind.kind) {
    case 'int':
    case 'number':
      return readNumber(row.flag, text, kind);
    case 'enum':
      if (!kind.values.includes(text))
        throw new InvalidArgumentError(`invalid --${row.flag}: ${text}; expected ${listWords(kind.values)}`);
      return text;
    case 'string':
      return text;
    case 'path':
      return readPath(row.flag, text, kind.role);
    case 'switch':
      // A switch is present or absent; `--switch=VALUE` is refused.
      throw new InvalidArgumentError(`--${row.flag} is a switch and takes no value, received ${text}`);
    case 'custom':
      return kind.parse(text, row.flag);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * Parses `--flag value`, `--flag=value` and `--switch` into a config of the command's shape,
 * starting from its defaults. A value may begin with a single dash (`--steps -1` reads -1, which
 * its kind then refuses); a word beginning with `--` is always a flag. The last of a repeated flag
 * wins. Throws InvalidArgumentError at the first bad value, unknown flag, missing value or missing
 * required option, then runs the command's check.
 */
export function parseOptions<C extends object>(argv: readonly string[], options: CommandOptions<C>): C {
  const { defaults, table } = options;
  const rows = new Map(
    (Object.keys(table) as (keyof C & string)[]).map((key) => [table[key].flag, { key, row: table[key] }] as const),
  );
  const config: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--') || word === '--')
      throw new InvalidArgumentError(`unexpected argument: ${word}; options are written --name value (see --help)`);
    const eq = word.indexOf('=');
    const flag = word.slice(2, eq < 0 ? undefined : eq);
    const found = rows.get(flag);
    if (found === undefined) throw new InvalidArgumentError(`unknown option: --${flag}; see --help`);
    const { key, row } = found;
    if (kindOf(row).kind === 'switch') {
      config[key] = eq < 0 ? true : readValue(row, word.slice(eq + 1));
    } else {
      const text = eq < 0 ? argv[++i] : word.slice(eq + 1);
      if (text === undefined || (eq < 0 && text.startsWith('--')))
        throw new InvalidArgumentError(`--${flag} needs a value: --${flag} ${row.arg ?? 'VALUE'}`);
      config[key] = readValue(row, text);
    }
    given.add(key);
  }
  for (const key of Object.keys(table) as (keyof C & string)[]) {
    const message = table[key].required;
    if (message !== undefined && !given.has(key)) throw new InvalidArgumentError(message);
  }
  const parsed = config as C;
  options.check?.(parsed);
  return parsed;
}

/** The text of a default value, as a flag would take it. */
function formatValue(row: AnyKind, value: unknown): string {
  return row.kind === 'custom' && row.format ? row.format(value) : String(value);
}

/** The help lines of a command's options: flag, placeholder, sentence, default and numeric range. */
export function formatOptions<C extends object>(options: CommandOptions<C>): string {
  const { defaults, table } = options;
  const lines = (Object.keys(table) as (keyof C & string)[]).map((key) => {
    const row = kindOf(table[key]);
    const shown = row.kind === 'switch' || row.required !== undefined ? '' : formatValue(row, defaults[key]);
    const notes = [
      ...(row.required === undefined ? [] : ['required']),
      ...(shown === '' ? [] : [`default: ${shown}`]),
      ...((row.kind === 'int' || row.kind === 'number') && Number.isFinite(row.max)
        ? [`${row.min} to ${row.max}`]
        : []),
    ];
    return {
      left: `--${row.flag}${row.arg ? ` ${row.arg}` : ''}`,
      right: `${row.help}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    };
  });
  const width = Math.max(...lines.map((r) => r.left.length)) + 2;
  return lines.map((r) => `  ${r.left.padEnd(width)}${r.right}`).join('\n');
}

/**
 * The part of a config that another config type owns, picked by that type's keys (its defaults),
 * so options a command adds never leak into it.
 */
export function pickKeys<T extends object>(config: T, keys: T): T {
  return Object.fromEntries(Object.keys(keys).map((key) => [key, (config as Record<string, unknown>)[key]])) as T;
}
