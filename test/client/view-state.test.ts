import { expect, test } from 'vitest';
import { DEFAULT_VIEW, formatView, parseView, type ViewState } from '../../client/model/view-state.js';
import type { RunId, SliceId } from '../../core/ids.js';

test('an empty query is the default view, and the default view writes an empty query', () => {
  expect(parseView('')).toEqual(DEFAULT_VIEW);
  expect(formatView(DEFAULT_VIEW)).toBe('');
});

test('every setting survives a round trip through the URL', () => {
  const view: ViewState = {
    runs: [3, 1] as RunId[],
    slice: 7 as SliceId,
    step: 120,
    play: 'paused',
    fps: 24,
    axis: 'epoch',
    smoothing: 0.85,
    shading: true,
    overlay: 'disagree',
    pinned: 40,
    palette: 'colour-blind',
    theme: 'dark',
  };
  const query = formatView(view);
  expect(query).toBe(
    '?runs=3,1&slice=7&step=120&play=paused&fps=24&axis=epoch&smooth=0.85&shade=1&overlay=disagree&pin=40&palette=colour-blind&theme=dark',
  );
  expect(parseView(query)).toEqual(view);
});

test('a following cursor has no step in the URL; a step without a play state opens paused there', () => {
  expect(formatView({ ...DEFAULT_VIEW, step: 50, play: 'following' })).toBe('');
  expect(parseView('?step=50')).toMatchObject({ step: 50, play: 'paused' });
});

test('bad values take their defaults: the rest of the link still works', () => {
  const view = parseView(
    '?runs=2,x,0,2,5&slice=-1&step=1.5&play=fast&fps=1000&axis=time&smooth=2&shade=yes&overlay=all',
  );
  expect(view.runs).toEqual([2, 5]);
  expect(view.slice).toBeNull();
  expect(view.step).toBeNull();
  expect(view.play).toBe('following');
  expect(view.fps).toBe(60);
  expect(view.axis).toBe('step');
  expect(view.smoothing).toBe(0.6);
  expect(view.shading).toBe(false);
  expect(view.overlay).toBe('none');
});
