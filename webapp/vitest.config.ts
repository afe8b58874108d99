import { defineConfig } from "vitest/config";

// One vitest run over every part of the package; each part has its own project file:
// convex/ (the functions, edge-runtime), src/ (the web app, jsdom), test-deployment/ (Node).
// The browser tests (e2e/) need Chromium, the worker jar and OpenCode: `npm run test:e2e` runs them.
export default defineConfig({
  test: {
    projects: ["./*/vitest.config.mts", "!./e2e/vitest.config.mts"],
  },
});
