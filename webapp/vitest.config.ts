import { defineConfig } from "vitest/config";

// One vitest run over every part of the package; each part has its own project file:
// convex/ (the functions, edge-runtime), src/ (the web app, jsdom), test-deployment/ (Node).
export default defineConfig({
  test: {
    projects: ["./*/vitest.config.mts"],
  },
});
