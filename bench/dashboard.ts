import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { HEARTBEAT_INTERVAL_MS } from '../store/types.js';
import { launchChromium } from './chromium.js';
import { SIDE, syntheticStore } from './dashboard-store.js';
import { median } from './measure.js';

const RUNS = 2;
const SLICES = 3;
const STEPS = 5000;
/** Live commits timed from store to painted cell, one every 200–400 ms. */
const COMMITS = 50;
const PLAY_MS = 10_000;
/** How long the page may load its charts' data before playback is timed regardless. */
const IDLE_WAIT_MS = 120_000;
/** Scrubbing seeks every this many steps (fewer than the window's 64-step ranges: every range is drawn). */
const SCRUB_EVERY = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The little of the page the callbacks below touch (bench/ is typed for Node, without the DOM library). */
interface PageElement {
  shadowRoot: PageNode | null;
  getAttribute(name: string): string | null;
}
interface PageNode {
  querySelector(selector: string): (PageElement & { model?: PageModel }) | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
interface PageModel {
  loaded: boolean;
  step: number;
  frames: { bytes: number; size: number; budgetBytes: number };
  setView(patch: { step?: number; play?: 'paused' | 'playing' | 'following'; fps?: number }): void;
  seek(step: number): void;
}
interface PageWindow {
  document: PageNode;
  requestAnimationFrame(callback: () => void): number;
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(options: { type: string; buffered?: boolean }): void;
    disconnect(): void;
  };
  MutationObserver: new (callback: (records: { target: PageElement }[]) => void) => {
    observe(target: PageElement, options: { attributes: boolean; attributeFilter: string[] }): void;
    disconnect(): void;
  };
  /** pageCells, installed by the bench. */
  swCells?: () => PageElement[];
  /** Set by installPaintLog: when each cell of a run drew each step (Date.now after the next animation frame). */
  swPaints?: { slice: string; step: number; at: number }[];
}
declare const window: PageWindow;

/** A `slicewatch serve` child on the store: the compiled CLI beside this file, or the sources through tsx. */
async function serve(path: string): Promise<{ server: ChildProcess; url: string }> {
  const compiled = fileURLToPath(new URL('../server/bin.js', import.meta.url));
  const command = existsSync(compiled)
    ? [compiled]
    : ['--import', 'tsx', fileURLToPath(new URL('../server/bin.ts', import.meta.url))];
  const server = spawn(process.execPath, [...command, 'serve', '--port', '0', '--store', path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = /(http:\/\/\S+)/.exec(line.toString())?.[1];
  if (url === undefined) throw new Error(`slicewatch serve printed no URL: ${line.toString()}`);
  return { server, url: url.replace(/\/$/, '') };
}

/**
 * The grid's cells, found through the shadow roots: the page-side part of every callback below
 * (whose inner functions stay anonymous: tsx would wrap named ones in a helper the page lacks).
 */
function pageCells(): PageElement[] {
  const cells: PageElement[] = [];
  const roots: PageNode[] = [window.document];
  for (let root = roots.pop(); root !== undefined; root = roots.pop()) {
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el.getAttribute('run-id') !== null && el.getAttribute('slice-id') !== null) cells.push(el);
      if (el.shadowRoot) roots.push(el.shadowRoot);
    }
  }
  return cells;
}

/**
 * Playing at `fps` for PLAY_MS from the cursor: animation frames, cursor steps, frames drawn per cell, long tasks.
 * A cell drew a frame when its `data-step` changed: it sets the attribute on every render, even to the
 * same step, and one observer's callback takes the records of every cell at once.
 */
async function measurePlayback(page: Page, fps: number) {
  return page.evaluate(
    async ([ms, speed]) => {
      const model = window.document.querySelector('sw-app')!.model!;
      const cells = window.swCells!();
      let drawn = 0;
      const shown = new Map(cells.map((cell) => [cell, cell.getAttribute('data-step')]));
      const mutations = new window.MutationObserver((records) => {
        for (const cell of new Set(records.map((r) => r.target))) {
          const step = cell.getAttribute('data-step');
          if (step === null || step === shown.get(cell)) continue;
          shown.set(cell, step);
          drawn++;
        }
      });
      for (const cell of cells) mutations.observe(cell, { attributes: true, attributeFilter: ['data-step'] });
      const longTasks: number[] = [];
      const observer = new window.PerformanceObserver((list) =>
        longTasks.push(...list.getEntries().map((e) => e.duration)),
      );
      observer.observe({ type: 'longtask' });
      let frames = 0;
      const from = model.step;
      model.setView({ play: 'playing', fps: speed });
      for (const until = Date.now() + ms; Date.now() < until; frames++)
        await new Promise((resolve) => window.requestAnimationFrame(() => resolve(undefined)));
      model.setView({ play: 'paused' });
      observer.disconnect();
      mutations.disconnect();
      return { frames, steps: model.step - from, drawnPerCell: drawn / cells.length, longTasks };
    },
    [PLAY_MS, fps] as const,
  );
}

/**
 * Logs into window.swPaints each step the cells of `run` draw, once, stamped after the next animation
 * frame. A cell sets `data-step` on every render (a scalar push or another cell's frame re-renders it
 * at the step it shows), so only a change of the attribute is a new step drawn.
 */
async function installPaintLog(page: Page, run: number): Promise<void> {
  await page.evaluate((runId) => {
    const paints: { slice: string; step: number; at: number }[] = [];
    window.swPaints = paints;
    const visit = (root: PageNode): void =>
      Array.from(root.querySelectorAll('*')).forEach((el) => {
        if (el.getAttribute('run-id') === String(runId)) {
          let shown = el.getAttribute('data-step');
          new window.MutationObserver(() => {
            const step = el.getAttribute('data-step');
            if (step === null || step === shown) return;
            shown = step;
            window.requestAnimationFrame(() =>
              paints.push({ slice: el.getAttribute('slice-id')!, step: Number(step), at: Date.now() }),
            );
          }).observe(el, { attributes: true, attributeFilter: ['data-step'] });
        }
        if (el.shadowRoot) visit(el.shadowRoot);
      });
    visit(window.document);
  }, run);
}

/** Seeks through steps `from`..`to` every `every` steps, each time waiting until every cell drew it. */
function scrub(page: Page, from: number, to: number, every: number) {
  return page.evaluate(
    async ([a, b, by]) => {
      const model = window.document.querySelector('sw-app')!.model!;
      const cells = window.swCells!();
      for (let step = a; step <= b; step += by) {
        model.seek(step);
        const deadline = Date.now() + 120_000;
        while (!cells.every((c) => c.getAttribute('data-step') === String(step))) {
          if (Date.now() > deadline) throw new Error(`the cells never drew step ${step}`);
          await new Promise((resolve) => window.requestAnimationFrame(() => resolve(undefined)));
        }
      }
      return { bytes: model.frames.bytes, size: model.frames.size, budget: model.frames.budgetBytes };
    },
    [from, to, every] as const,
  );
}

/**
 * `npm run bench -- --dashboard`: the dashboard in Debian chromium over a store of RUNS synthetic
 * runs × SLICES slices of SIDE × SIDE frames, STEPS steps each: frame rate while playing at 60 fps,
 * long tasks, commit-to-paint latency of a live run, and the JS heap while scrubbing every step.
 */
export async function benchDashboard(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slicewatch-bench-dashboard-'));
  const store = syntheticStore(join(dir, 'store.db'), RUNS, SLICES, STEPS);
  const live = store.runs.at(-1)!;
  const beat = setInterval(() => store.writer.heartbeat(live), HEARTBEAT_INTERVAL_MS);
  console.log(
    `dashboard: ${RUNS} runs × ${SLICES} slices of ${SIDE} × ${SIDE} synthetic frames, ${STEPS} steps each, written in ${store.buildSeconds.toFixed(0)} s`,
  );
  const { server, url } = await serve(store.path);
  const browser = await launchChromium();
  const context = browser.context;
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      // The JS heap and the ArrayBuffer backing stores outside it (decoded frames are typed arrays).
      const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      return usage.usedSize + (usage.backingStorageSize ?? 0);
    };
    let requests = 0;
    let lastRequest = Date.now();
    page.on('request', (r) => r.url().includes('/api/') && (requests++, (lastRequest = Date.now())));
    const ended = (r: { url(): string }) => r.url().includes('/api/') && (requests--, (lastRequest = Date.now()));
    let metrics = 0;
    page.on('requestfinished', ended).on('requestfailed', ended);
    page.on('requestfinished', (r) => r.url().includes('/metrics?') && metrics++);
    const opened = Date.now();
    await page.goto(`${url}/?runs=${store.runs.join(',')}&step=1`);
    await page.waitForFunction(() => window.document.querySelector('sw-app')?.model?.loaded === true);
    // Run from the sources (tsx), functions sent to the page may call esbuild's __name helper: give the page one.
    await page.evaluate(`globalThis.__name ??= (f) => f; window.swCells = ${pageCells.toString()}`);
    await page.waitForFunction(
      (count) => {
        const cells = window.swCells!();
        return cells.length === count && cells.every((c) => c.getAttribute('data-step') === '1');
      },
      RUNS * SLICES,
      { timeout: 300_000 },
    );
    const drawn = (Date.now() - opened) / 1000;
    // Then the charts' series and slice metrics load; playback is timed once the page is idle (or after IDLE_WAIT_MS).
    while ((requests > 0 || Date.now() - lastRequest < 2000) && Date.now() - opened < IDLE_WAIT_MS) await sleep(200);
    console.log(
      `page open: every cell drawn after ${drawn.toFixed(1)} s; ` +
        (requests === 0
          ? `every request answered after ${((lastRequest - opened) / 1000).toFixed(1)} s`
          : `${requests} requests still open after ${IDLE_WAIT_MS / 1000} s (${metrics} slice-metric ranges answered)`),
    );
    const heapStart = await heap();

    for (const fps of [60, 10]) {
      await page.evaluate(() => window.document.querySelector('sw-app')!.model!.seek(1));
      await sleep(2000);
      const play = await measurePlayback(page, fps);
      const seconds = PLAY_MS / 1000;
      const long = play.longTasks;
      console.log(
        `playing at ${fps} fps for ${seconds} s: ${(play.frames / seconds).toFixed(1)} animation frames/s, cursor ${(play.steps / seconds).toFixed(1)} steps/s, ` +
          `${(play.drawnPerCell / seconds).toFixed(1)} frames drawn/s per cell; long tasks > 50 ms: ${long.length}` +
          (long.length > 0 ? ` (longest ${Math.max(...long).toFixed(0)} ms)` : ''),
      );
    }

    // Scrub through the whole run (every 64-step range of every cell drawn), the heap read after a GC each 1,000 steps.
    const heaps: string[] = [];
    const scrubbing = Date.now();
    let held = { bytes: 0, size: 0, budget: 0 };
    for (let from = 1; from <= STEPS; from += 1000) {
      held = await scrub(page, from, Math.min(STEPS, from + 999), SCRUB_EVERY);
      heaps.push(`${Math.min(STEPS, from + 999)}: ${mib(await heap())}`);
    }
    console.log(
      `scrubbing steps 1-${STEPS} every ${SCRUB_EVERY}th, each drawn in every cell: ${((Date.now() - scrubbing) / 1000).toFixed(0)} s; ` +
        `JS heap and array buffers after GC: at the start ${mib(heapStart)}; after scrubbing to step ${heaps.join(', ')}; ` +
        `frame window ${mib(held.bytes)} in ${held.size} frames (budget ${mib(held.budget)})`,
    );

    // Follow the live run and time each commit to its painted frames.
    await page.evaluate(() => window.document.querySelector('sw-app')!.model!.setView({ play: 'following' }));
    await installPaintLog(page, live);
    const committed = new Map<number, number>();
    for (let step = STEPS + 1; step <= STEPS + COMMITS; step++) {
      store.putStep(live, step);
      committed.set(step, Date.now());
      await sleep(200 + Math.random() * 200);
    }
    await sleep(2000);
    const paints = await page.evaluate(() => window.swPaints ?? []);
    const latencies = [...committed].flatMap(([step, at]) => {
      const painted = paints.filter((p) => p.step === step);
      return painted.length === SLICES ? [Math.max(...painted.map((p) => p.at)) - at] : [];
    });
    console.log(
      `commit to painted frame (all ${SLICES} cells of the live run), ${latencies.length} of ${COMMITS} commits: ` +
        (latencies.length === 0
          ? 'none painted'
          : `median ${median(latencies).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`),
    );
  } finally {
    clearInterval(beat);
    await browser.close();
    server.kill('SIGTERM');
    await once(server, 'exit');
    store.writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
