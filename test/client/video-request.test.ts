import { expect, test } from 'vitest';
import { DEFAULT_VIDEO_FORM, videoRequest, type VideoSelection } from '../../client/model/video-request.js';

const selection: VideoSelection = {
  runs: ['/tmp/dev/runs/base', '/tmp/dev/runs/madry'],
  focusedPosition: 2,
  palette: 'default',
  timeline: { first: 1, last: 150 },
};

test('by default: every slice, every recorded step of the whole timeline', () => {
  expect(videoRequest(DEFAULT_VIDEO_FORM, selection)).toEqual({
    kind: 'video',
    runs: ['/tmp/dev/runs/base', '/tmp/dev/runs/madry'],
    slices: 'all',
    time: 'every',
    frames: 120,
    fps: 15,
    scale: 4,
    palette: 'default',
  });
});

test('the focused slice by its position, a step range, log time and the colour-blind palette', () => {
  const form = { ...DEFAULT_VIDEO_FORM, slices: 'focused' as const, from: 10, to: 90, time: 'log' as const };
  expect(videoRequest(form, { ...selection, palette: 'colour-blind' })).toMatchObject({
    slices: [2],
    from: 10,
    to: 90,
    time: 'log',
    palette: 'colour-blind',
  });
});

test('range ends are kept on the timeline and put in order', () => {
  expect(videoRequest({ ...DEFAULT_VIDEO_FORM, from: 400, to: 0 }, selection)).toMatchObject({ from: 1, to: 150 });
  expect(videoRequest({ ...DEFAULT_VIDEO_FORM, from: 80.6, to: null }, selection)).toMatchObject({ from: 81 });
  expect(videoRequest({ ...DEFAULT_VIDEO_FORM, from: 80, to: null }, selection)).not.toHaveProperty('to');
});

test('without a focused slice every slice is shown; numbers are rounded into the server’s limits', () => {
  const form = { ...DEFAULT_VIDEO_FORM, slices: 'focused' as const, frames: 0, fps: 1000, scale: 2.4 };
  expect(videoRequest(form, { ...selection, focusedPosition: undefined })).toMatchObject({
    slices: 'all',
    frames: 1,
    fps: 240,
    scale: 2,
  });
});
