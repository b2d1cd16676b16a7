// Test runner settings: unit and integration tests under tests/, with room for model loads and the browser.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps timing-sensitive socket tests steady.
    maxWorkers: 2,
  },
});
