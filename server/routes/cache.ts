/** Cache-Control of data that never changes once committed (a frame, a slice's points). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control of data that may still grow (a range past a running run's newest step). */
export const REVALIDATE = 'no-cache';
