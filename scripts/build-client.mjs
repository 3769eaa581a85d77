// Bundles the dashboard (client/main.ts, Lit + chart.js + the shared protocol and frame codec) into
// dist/client/, which the server serves at /. Runs on `npm install` (prepare) and `npm run build`.
import { copyFile, mkdir } from 'node:fs/promises';
import { stdout } from 'node:process';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const started = performance.now();
await mkdir('dist/client', { recursive: true });
await build({
  entryPoints: ['client/main.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  outfile: 'dist/client/app.js',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  tsconfig: 'tsconfig.client.json',
  logLevel: 'warning',
});
await copyFile('client/page.html', 'dist/client/index.html');
await copyFile('client/page.css', 'dist/client/page.css');
stdout.write(`dashboard built into dist/client in ${Math.round(performance.now() - started)} ms\n`);
