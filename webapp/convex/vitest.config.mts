import { defineProject } from "vitest/config";

// The Convex functions' tests: convex-test in the edge-runtime environment, close to Convex's own runtime.
export default defineProject({
  test: {
    name: "convex",
    root: import.meta.dirname,
    environment: "edge-runtime",
    include: ["**/*.test.ts"],
    server: { deps: { inline: ["convex-test"] } },
  },
});
