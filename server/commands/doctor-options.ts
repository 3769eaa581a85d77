import type { CommandOptions } from '../options.js';

/** `slicewatch doctor`: which compute backends work here, why not, and the fix for each missing piece. */
export interface DoctorCommandConfig {
  /** Print the probed facts and the findings as JSON instead of text. */
  json: boolean;
}

export const DOCTOR_OPTIONS: CommandOptions<DoctorCommandConfig> = {
  defaults: { json: false },
  table: {
    json: { flag: 'json', help: 'print the probed facts and the findings as JSON', kind: 'switch' },
  },
};
