import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The memory test collects garbage before reading RSS, so it measures what is retained.
    execArgv: ["--expose-gc"],
  },
});
