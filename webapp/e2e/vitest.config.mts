import { defineConfig } from "vitest/config";

// Browser end-to-end: headless Chromium against the test deployment, the real worker jar, the real
// OpenCode and a fake model. Run by `npm run test:e2e` (and by Maven's integration-test phase).
export default defineConfig({
  test: {
    name: "e2e",
    root: import.meta.dirname,
    environment: "node",
    include: ["**/*.e2e.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
