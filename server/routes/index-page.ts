import { Router } from 'express';
import type { StoreReader } from '../../store/types.js';
import { runSummary } from './runs.js';

/** Text made safe to put in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);

/** `GET /`: a plain page listing the runs, rendered on the server, until the dashboard exists. */
export function indexPageRouter(store: StoreReader): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const rows = store
      .runs()
      .map((run) => runSummary(store, run))
      .map(
        (r) =>
          `<tr><td><a href="/api/runs/${r.id}">${escapeHtml(r.name)}</a></td><td>${r.status}</td>` +
          `<td>${escapeHtml(r.backend)}</td><td>${r.step} / ${r.totalSteps}</td>` +
          `<td>${r.loss === null ? '–' : r.loss.toFixed(4)}</td><td>${percent(r.accuracy)}</td>` +
          `<td>${percent(r.robustAccuracy)}</td></tr>`,
      )
      .join('\n');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slicewatch</title></head>
<body><h1>slicewatch runs</h1>
<table><thead><tr><th>run</th><th>status</th><th>backend</th><th>step</th><th>loss</th><th>test accuracy</th><th>robust accuracy</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`);
  });
  return router;
}
