/** A date as YYYYMMDD-HHMMSS (UTC), for default folder and slice-set names. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
