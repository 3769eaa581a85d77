/**
 * The MP4 the downloads panel asks for, pure: the compared runs side by side on all slices or the
 * focused one, over a step range, every recorded step or about `frames` log-spaced ones, in the
 * page's palette. The server renders it as a `video` job (server/job-types.ts).
 */
import type { JobRequest } from '../../server/job-types.js';
import type { PaletteName } from '../../slices/palette.js';
import type { Timeline } from './time-cursor.js';

/** What the downloads form holds; `from`/`to` null follow the timeline's ends. */
export interface VideoForm {
  slices: 'all' | 'focused';
  from: number | null;
  to: number | null;
  time: 'every' | 'log';
  frames: number;
  fps: number;
  scale: number;
}

export const DEFAULT_VIDEO_FORM: VideoForm = {
  slices: 'all',
  from: null,
  to: null,
  time: 'every',
  frames: 120,
  fps: 15,
  scale: 4,
};

/** The view the video shows: run names (RunSummary.name) as columns, the focused slice's position, the palette. */
export interface VideoSelection {
  runs: string[];
  focusedPosition: number | undefined;
  palette: PaletteName;
  timeline: Timeline;
}

/**
 * The video job for a form and a selection. A step range end left empty is omitted (the server
 * takes the first or newest recorded step); a given end is kept within the timeline, and reversed
 * ends are swapped. Frames, fps and scale are rounded into the server's limits.
 */
export function videoRequest(form: VideoForm, selection: VideoSelection): Extract<JobRequest, { kind: 'video' }> {
  const { first, last } = selection.timeline;
  const clamp = (step: number | null) =>
    step === null ? undefined : Math.min(last, Math.max(first, Math.round(step)));
  let from = clamp(form.from);
  let to = clamp(form.to);
  if (from !== undefined && to !== undefined && from > to) [from, to] = [to, from];
  const focused = selection.focusedPosition;
  const whole = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));
  return {
    kind: 'video',
    runs: selection.runs,
    slices: form.slices === 'focused' && focused !== undefined ? [focused] : 'all',
    time: form.time,
    frames: whole(form.frames, 1, 100_000),
    fps: whole(form.fps, 1, 240),
    scale: whole(form.scale, 1, 32),
    palette: selection.palette,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}
