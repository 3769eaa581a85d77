import type { OptionTable } from '../../server/options.js';

interface Config {
  steps: number;
  mode: 'full' | 'adaptive';
  out: string;
  record: boolean;
}

const table: OptionTable<Config> = {
  steps: { flag: 'steps', arg: 'N', help: 'steps', kind: 'int', min: 1, max: Infinity },
  mode: { flag: 'mode', arg: 'MODE', help: 'mode', kind: 'enum', values: ['full', 'adaptive'] },
  out: { flag: 'out', arg: 'FOLDER', help: 'where', kind: 'path', role: 'output-folder' },
  record: { flag: 'record', help: 'record', kind: 'switch' },
};
void table;

// @ts-expect-error every config key needs a row
const missing: OptionTable<Config> = {
  steps: { flag: 'steps', arg: 'N', help: 'steps', kind: 'int', min: 1, max: Infinity },
  mode: { flag: 'mode', arg: 'MODE', help: 'mode', kind: 'enum', values: ['full', 'adaptive'] },
  out: { flag: 'out', arg: 'FOLDER', help: 'where', kind: 'path', role: 'output-folder' },
};
void missing;

const wrong: OptionTable<Config> = {
  // @ts-expect-error a number is read as int or number, not as a word of an enum
  steps: { flag: 'steps', arg: 'N', help: 'steps', kind: 'enum', values: ['1'] },
  // @ts-expect-error an enum's values are the union's words
  mode: { flag: 'mode', arg: 'MODE', help: 'mode', kind: 'enum', values: ['full', 'fulll'] },
  // @ts-expect-error a switch is for a boolean
  out: { flag: 'out', help: 'where', kind: 'switch' },
  // @ts-expect-error a boolean is a switch
  record: { flag: 'record', arg: 'X', help: 'record', kind: 'string' },
};
void wrong;
