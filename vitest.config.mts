import { defineConfig } from 'vitest/config';

// `make test-load` stretches deadlines on a machine it saturates on purpose (test/helpers/deadline.ts).
const scale = Math.max(1, Number(process.env.PTY_RELAY_TEST_DEADLINE_SCALE ?? '1') || 1);

export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000 * scale,
    hookTimeout: 60_000 * scale,
  },
});
