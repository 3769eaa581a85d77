import { defineConfig } from 'vitest/config';

// Two projects: `unit` (test/**, a quick loop: npm run test:unit) and `e2e` (test/e2e/**: real CLI
// processes, kill -9, the demo, videos checked with ffprobe). `npm test` runs both.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
