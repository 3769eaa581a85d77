import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, test } from 'vitest';

/**
 * The layering of ARCHITECTURE.md: a folder may import only from itself and from the folders
 * listed for it, all of which sit below it. Changing this table is changing the architecture.
 */
const LAYERS: Record<string, string[]> = {
  core: [],
  slices: ['core'],
  trainer: ['core'],
  store: ['core', 'slices', 'trainer'],
  recorder: ['core', 'slices', 'trainer', 'store'],
  videos: ['core', 'slices', 'store'],
  app: ['core', 'slices', 'trainer', 'store', 'recorder', 'videos'],
  server: ['core', 'slices', 'trainer', 'store', 'recorder', 'videos', 'app'],
  bench: ['core', 'slices', 'trainer', 'store', 'recorder', 'videos', 'app'],
  // The dashboard runs in the browser: only environment-neutral modules (checked below).
  client: ['core', 'slices', 'store', 'trainer', 'server'],
};

const root = join(import.meta.dirname, '..');

function sources(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a source file, as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const folderOf = (file: string) => file.split('/')[0]!;
const files = Object.keys(LAYERS).flatMap(sources);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

test('every source folder has a place in the layering', () => {
  const topLevel = readdirSync(root).filter(
    (name) =>
      statSync(join(root, name)).isDirectory() &&
      !name.startsWith('.') &&
      !['node_modules', 'dist', 'test', 'runs', 'scripts', 'docs', 'tmp', 'scratch'].includes(name),
  );
  expect(topLevel.sort()).toEqual(Object.keys(LAYERS).sort());
});

test('every import arrow points down the layering', () => {
  const upward = [...graph].flatMap(([file, imports]) =>
    imports
      .filter((target) => {
        const to = folderOf(target);
        return to !== folderOf(file) && !LAYERS[folderOf(file)]!.includes(to);
      })
      .map((target) => `${file} -> ${target}`),
  );
  expect(upward).toEqual([]);
});

test('the import graph has no cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});

test('the dashboard imports only environment-neutral modules from below it', () => {
  const neutral = JSON.parse(readFileSync(join(root, 'tsconfig.neutral.json'), 'utf8')) as {
    include: string[];
    exclude: string[];
  };
  const isNeutral = (file: string) =>
    !neutral.exclude.includes(file) &&
    neutral.include.some((glob) =>
      glob.endsWith('/**/*.ts') ? file.startsWith(glob.slice(0, -'**/*.ts'.length)) : file === glob,
    );
  const leaks = [...graph]
    .filter(([file]) => folderOf(file) === 'client')
    .flatMap(([file, imports]) =>
      imports.filter((target) => folderOf(target) !== 'client' && !isNeutral(target)).map((t) => `${file} -> ${t}`),
    );
  expect(leaks).toEqual([]);
});
