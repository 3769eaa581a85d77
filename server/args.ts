import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';
import type { OptionTable } from './config.js';

/**
 * Parses command-line flags into a config of the same shape as `defaults`, typed by the option
 * table: booleans are switches, numbers must parse, strings are taken as given.
 */
export function parseFlags<C extends object>(argv: string[], defaults: C, table: OptionTable<C>): C {
  const keys = Object.keys(table) as (keyof C & string)[];
  const options = Object.fromEntries(
    keys.map((key) => [table[key].flag, { type: typeof defaults[key] === 'boolean' ? 'boolean' : 'string' }] as const),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message.split('\n')[0]}; see --help`);
  }
  const config = { ...defaults };
  for (const key of keys) {
    const value = values[table[key].flag];
    if (value === undefined) continue;
    if (typeof defaults[key] === 'number') {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) {
        throw new InvalidArgumentError(`expected --${table[key].flag} to be a number, received ${String(value)}`);
      }
      (config as Record<string, unknown>)[key] = n;
    } else {
      (config as Record<string, unknown>)[key] = value;
    }
  }
  return config;
}

/** The help lines of an option table: flag, placeholder, sentence and default. */
export function formatOptions<C extends object>(defaults: C, table: OptionTable<C>): string {
  const rows = (Object.keys(table) as (keyof C & string)[]).map((key) => {
    const { flag, arg, help } = table[key];
    const value = defaults[key];
    const shown = typeof value === 'boolean' || value === '' ? '' : ` (default: ${String(value)})`;
    return { left: `--${flag}${arg ? ` ${arg}` : ''}`, right: `${help}${shown}` };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map((r) => `  ${r.left.padEnd(width)}${r.right}`).join('\n');
}
