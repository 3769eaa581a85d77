import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ViewState } from '../../client/model/view-state.js';
import type { RunId, SliceId } from '../../core/ids.js';
import type { Frame } from '../../slices/frame.js';
import { colourOf } from '../../slices/palette.js';
import { launchChromium, type Browser as TestBrowser } from '../../bench/chromium.js';
import { startDashboardServer, type DashboardServer } from '../fixtures/dashboard-server.js';
import { probeVideo } from '../fixtures/ffprobe.js';

/**
 * The dashboard in a real browser (Debian chromium through playwright-core) against a real server:
 * a finished recorded run and a `slicewatch train --record` child training beside it. The tests
 * read the page through the hooks of client/README.md and check it against the store itself.
 */

const ROOT = join(import.meta.dirname, '../..');
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The part of the page's model the tests use (`document.querySelector('sw-app').model`). */
interface PageModel {
  loaded: boolean;
  step: number;
  view: ViewState;
  timeline: { first: number; last: number };
  setView(patch: Partial<ViewState>, history?: string): void;
  seek(step: number): void;
}

/**
 * The few DOM types the page-side callbacks use: the test project is typed for Node, without the
 * DOM library, and these callbacks run in the page.
 */
interface DomBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DomNode {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
interface DomElement extends DomNode {
  shadowRoot: DomNode | null;
  textContent: string | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getBoundingClientRect(): DomBox;
}
interface DomCanvas extends DomElement {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}
declare const document: DomNode;

let server: DashboardServer;
let browser: TestBrowser;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startDashboardServer({ baseSteps: 8, liveSteps: 30, resolution: 64 });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A new tab on the dashboard with `query`, once the model has its runs. */
async function open(query = ''): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${page.url()}: console: ${message.text()}`);
  });
  await page.goto(`${server.url}/${query}`);
  await page.waitForFunction(() => (document.querySelector('sw-app') as unknown as { model: PageModel }).model.loaded);
  return page;
}

/** Calls `work` with the page's model, in the page (a handle: the page's CSP forbids eval). */
async function inModel<A, R>(page: Page, work: (model: PageModel, arg: A) => R, arg: A): Promise<R> {
  const model = await page.evaluateHandle(
    () => (document.querySelector('sw-app') as unknown as { model: PageModel }).model,
  );
  try {
    return (await model.evaluate(work as (m: PageModel, a: unknown) => R, arg as unknown)) as R;
  } finally {
    await model.dispose();
  }
}

interface CellState {
  run: RunId;
  slice: SliceId;
  /** `data-step`: the step of the frame drawn; null while loading. */
  step: number | null;
}

/** Every cell of the grid, in document order (columns are runs, rows slices). */
function cells(page: Page): Promise<CellState[]> {
  return page.locator('sw-cell').evaluateAll((elements: DomElement[]) =>
    elements.map((el) => ({
      run: Number(el.getAttribute('run-id')) as RunId,
      slice: Number(el.getAttribute('slice-id')) as SliceId,
      step: el.hasAttribute('data-step') ? Number(el.getAttribute('data-step')) : null,
    })),
  );
}

/** The step shown in `[data-testid=step]` (its first number). */
async function shownStep(page: Page): Promise<number> {
  const text = (await page.locator('[data-testid=step]').first().textContent()) ?? '';
  return Number(/\d[\d,]*/.exec(text)?.[0]?.replaceAll(',', '') ?? NaN);
}

/** The frame a cell must show at `step`: the one recorded at the greatest step at or before it, read from the store. */
const framesRead = new Map<string, { step: number; frame: Frame }>();
function storedFrame(run: RunId, slice: SliceId, step: number): { step: number; frame: Frame } {
  const key = `${run}:${slice}:${step}`;
  const known = framesRead.get(key);
  if (known !== undefined && server.store.run(run)!.status !== 'running') return known;
  let found: { step: number; frame: Frame } | undefined;
  for (const row of server.store.frames(run, slice, { to: step })) found = row;
  if (found === undefined) throw new Error(`run ${run} slice ${slice} has no frame at or before step ${step}`);
  framesRead.set(key, found);
  return found;
}

/** The store's slice ids of a run's slice set, in order. */
function sliceIds(run: RunId): SliceId[] {
  const setId = server.store.run(run)!.setId!;
  return server.store.sliceSet(setId)!.slices.map((s) => s.id);
}

/** Waits until every cell has drawn the frame recorded at or before `step`. */
async function waitForCellsAt(page: Page, step: number): Promise<CellState[]> {
  const expected = (c: CellState) => storedFrame(c.run, c.slice, step).step;
  await expect
    .poll(async () => (await cells(page)).map((c) => c.step === expected(c)), { timeout: 20_000 })
    .toEqual(expect.arrayContaining([true]));
  await expect
    .poll(async () => (await cells(page)).every((c) => c.step === expected(c)), { timeout: 20_000 })
    .toBe(true);
  return cells(page);
}

test('frames arrive and the cursor follows the live run to its newest step', async () => {
  const page = await open();
  const seen: { page: number; cells: number; store: number }[] = [];
  let done = false;
  void server.trained.then(() => (done = true));
  while (!done) {
    const live = (await cells(page)).filter((c) => c.run === server.liveRun && c.step !== null);
    if (live.length > 0)
      seen.push({
        page: await shownStep(page),
        cells: Math.min(...live.map((c) => c.step!)),
        store: server.store.run(server.liveRun)!.step,
      });
    await sleep(250);
  }
  expect(await server.trained).toBe(0);
  const final = server.store.run(server.liveRun)!;
  expect(final).toMatchObject({ status: 'completed', step: server.liveSteps });
  // While it trained, the page's cursor and the live cells moved up with the run, never back.
  const distinct = [...new Set(seen.map((s) => s.cells))];
  expect(distinct.length).toBeGreaterThanOrEqual(3);
  expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
  const lags = seen.map((s) => s.store - s.cells).sort((a, b) => a - b);
  console.log(
    `live: ${seen.length} samples, lag behind the store (steps) median ${lags[lags.length >> 1]}, max ${lags.at(-1)}`,
  );
  // At the end the cursor and every cell of the live run are on its newest step.
  await expect.poll(() => shownStep(page), { timeout: 20_000 }).toBe(server.liveSteps);
  await expect
    .poll(async () => (await cells(page)).filter((c) => c.run === server.liveRun).map((c) => c.step), {
      timeout: 20_000,
    })
    .toEqual(sliceIds(server.liveRun).map(() => server.liveSteps));
  expect(await inModel(page, (m) => m.view.play, undefined)).toBe('following');
  await page.close();
}, 240_000);

test("after scrubbing, every cell's canvas has exactly the palette colours of the stored frame's labels", async () => {
  const page = await open();
  const target = 19;
  await inModel(page, (m, step) => m.seek(step), target + 2);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => shownStep(page), { message: '← moves the cursor back one step' }).toBe(target + 1);
  await page.getByRole('button', { name: 'Step back', exact: true }).click();
  await expect.poll(() => shownStep(page), { message: 'Step back moves the cursor back one step' }).toBe(target);
  const shown = await waitForCellsAt(page, target);
  expect(shown.length).toBe(2 * sliceIds(server.liveRun).length);
  for (const cell of shown) {
    const { frame } = storedFrame(cell.run, cell.slice, target);
    const pixels = await page
      .locator(`sw-cell[run-id="${cell.run}"][slice-id="${cell.slice}"]`)
      .evaluate((el: DomElement) => {
        const canvas = el.shadowRoot!.querySelector('canvas.regions') as DomCanvas;
        const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        return { width: canvas.width, height: canvas.height, data: Array.from(image.data) };
      });
    expect([pixels.width, pixels.height]).toEqual([frame.width, frame.height]);
    const wrong: string[] = [];
    let grey = 0;
    for (let i = 0; i < frame.labels.length; i++) {
      const label = frame.labels[i]!;
      if (label === 255) grey++;
      const want = [...colourOf(label), 255];
      const got = pixels.data.slice(4 * i, 4 * i + 4);
      if (want.some((v, k) => v !== got[k]))
        wrong.push(`(${i % frame.width}, ${Math.floor(i / frame.width)}) label ${label}: ${got} not ${want}`);
    }
    expect(wrong.slice(0, 5), `run ${cell.run} slice ${cell.slice}: ${wrong.length} wrong pixels`).toEqual([]);
    expect(frame.labels.length - grey).toBeGreaterThan(0);
  }
  await page.close();
});

test('every run column shows the same slices, with the same a, b, c markers', async () => {
  const page = await open();
  await waitForCellsAt(page, server.liveSteps);
  const shown = await cells(page);
  const ids = sliceIds(server.liveRun);
  expect(sliceIds(server.baseRun)).toEqual(ids);
  const columns = new Map<RunId, SliceId[]>();
  for (const c of shown) columns.set(c.run, [...(columns.get(c.run) ?? []), c.slice]);
  expect([...columns.keys()].sort()).toEqual([server.baseRun, server.liveRun].sort());
  for (const slices of columns.values()) expect(slices).toEqual(ids);
  // The markers of a, b and c: the same letters at the same places in both columns.
  for (const slice of ids) {
    const markers = await Promise.all(
      [server.baseRun, server.liveRun].map((run) =>
        page
          .locator(`sw-cell[run-id="${run}"][slice-id="${slice}"]`)
          .evaluate((el: DomElement) =>
            Array.from(
              el.shadowRoot!.querySelectorAll('svg.marks text.letter'),
              (t) => `${t.textContent}@${t.getAttribute('x')},${t.getAttribute('y')}`,
            ),
          ),
      ),
    );
    const letters = markers[0]!.flatMap((m) => m.split('@')[0]!.split(','));
    expect(letters.sort(), `slice ${slice} markers ${markers[0]}`).toEqual(['a', 'b', 'c']);
    expect(markers[1]).toEqual(markers[0]);
  }
  await page.close();
});

test("playing advances the step and every chart's cursor line moves with it", async () => {
  const page = await open('?fps=5');
  await inModel(page, (m) => m.seek(1), undefined);
  await expect.poll(() => shownStep(page)).toBe(1);
  const charts = page.locator('sw-scalar-chart, sw-metric-chart, sw-profile-chart');
  const count = await charts.count();
  expect(count).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  const samples: { step: number; charts: (number | null)[] }[] = [];
  for (let i = 0; i < 12; i++) {
    await sleep(200);
    samples.push({
      step: await shownStep(page),
      charts: await charts.evaluateAll((els: DomElement[]) =>
        els.map((el) => (el.hasAttribute('data-cursor-step') ? Number(el.getAttribute('data-cursor-step')) : null)),
      ),
    });
  }
  if ((await inModel(page, (m) => m.view.play, undefined)) === 'playing')
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const steps = samples.map((s) => s.step);
  expect(new Set(steps).size, `steps while playing: ${steps}`).toBeGreaterThanOrEqual(4);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  for (let k = 0; k < count; k++) {
    const cursor = samples.map((s) => s.charts[k]!);
    expect(new Set(cursor).size, `chart ${k} cursor while playing: ${cursor}`).toBeGreaterThanOrEqual(4);
    expect(cursor).toEqual([...cursor].sort((a, b) => a - b));
  }
  // Paused: every chart's cursor line is on the cursor's step.
  const paused = await inModel(page, (m) => m.step, undefined);
  expect(paused).toBeGreaterThan(1);
  await expect
    .poll(() => charts.evaluateAll((els: DomElement[]) => els.map((el) => Number(el.getAttribute('data-cursor-step')))))
    .toEqual(Array.from({ length: count }, () => paused));
  await page.close();
});

test('the URL reproduces the view after a reload: runs, step, slice, toggles, speed, smoothing', async () => {
  const page = await open();
  const slice = sliceIds(server.liveRun)[1]!;
  const patch: Partial<ViewState> = {
    runs: [server.liveRun, server.baseRun],
    slice,
    step: 17,
    play: 'paused',
    fps: 24,
    smoothing: 0.85,
    shading: true,
    overlay: 'disagree',
    axis: 'epoch',
  };
  await inModel(page, (m, p) => m.setView(p, 'replace'), patch);
  await waitForCellsAt(page, 17);
  const before = await inModel(page, (m) => m.view, undefined);
  expect(before).toMatchObject(patch);
  await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('17');
  const url = page.url();
  await page.reload();
  await page.waitForFunction(() => (document.querySelector('sw-app') as unknown as { model: PageModel }).model.loaded);
  expect(await inModel(page, (m) => m.view, undefined)).toEqual(before);
  expect(page.url()).toBe(url);
  const shown = await waitForCellsAt(page, 17);
  // Columns in the URL's order.
  expect([...new Set(shown.map((c) => c.run))]).toEqual([server.liveRun, server.baseRun]);
  expect(await shownStep(page)).toBe(17);
  await page.close();
});

test('an MP4 download of the selection completes, and ffprobe accepts it', async () => {
  const page = await open('?step=25');
  await waitForCellsAt(page, 25);
  const downloads = page.locator('sw-downloads');
  await downloads.getByLabel('From step').fill('11');
  await downloads.getByLabel('to', { exact: true }).fill('25');
  await downloads.getByRole('button', { name: 'Render MP4', exact: true }).click();
  await expect.poll(() => downloads.getByRole('progressbar').count()).toBe(1);
  const link = downloads.locator('a[download][href^="/api/videos/"]');
  await link.waitFor({ timeout: 120_000 });
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/api\/videos\/[0-9a-f]{12}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'slicewatch-dashboard-video-')), 'selection.mp4');
  await download.saveAs(file);
  // Steps 11 to 25, every one recorded (by the live run; the base run holds its last frame): 15 frames.
  expect(probeVideo(file, ['codec_name', 'pix_fmt', 'nb_read_frames'])).toBe('h264,yuv420p,15');
  await page.close();
}, 150_000);

test('hovering a pixel shows the class and confidence stored there', async () => {
  const page = await open('?step=23');
  await waitForCellsAt(page, 23);
  const run = server.liveRun;
  const slice = sliceIds(run)[0]!;
  const cell = page.locator(`sw-cell[run-id="${run}"][slice-id="${slice}"]`);
  const box = (await cell.locator('canvas.regions').boundingBox())!;
  const { frame } = storedFrame(run, slice, 23);
  const points = [
    [0, 0],
    [frame.width - 1, frame.height - 1],
    [Math.floor(frame.width / 2), Math.floor(frame.height / 2)],
    [7, frame.height - 5],
    [frame.width - 9, 3],
  ] as const;
  for (const [x, y] of points) {
    await page.mouse.move(
      box.x + ((x + 0.5) * box.width) / frame.width,
      box.y + ((y + 0.5) * box.height) / frame.height,
    );
    const hover = cell.locator('.hover');
    const i = y * frame.width + x;
    await expect
      .poll(async () => [await hover.getAttribute('data-class'), await hover.getAttribute('data-confidence')], {
        message: `hover at pixel (${x}, ${y})`,
      })
      .toEqual([String(frame.labels[i]), String(frame.confidence[i])]);
  }
  await page.close();
});

test('screenshots of the main view, light and dark', async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const page = await open();
    await page.emulateMedia({ colorScheme: scheme });
    await waitForCellsAt(page, server.liveSteps);
    await expect
      .poll(() =>
        page
          .locator('sw-scalar-chart, sw-metric-chart, sw-profile-chart')
          .evaluateAll(
            (els: DomElement[], last: number) =>
              els.every((el) => el.getAttribute('data-cursor-step') === String(last)),
            server.liveSteps,
          ),
      )
      .toBe(true);
    await sleep(500);
    writeFileSync(join(SCREENSHOTS, `dashboard-${scheme}.png`), await page.screenshot({ fullPage: true }));
    await page.close();
  }
});

test('the page logged no errors', () => {
  expect([...new Set(pageErrors)]).toEqual([]);
});
