import { defineConfig } from "vitest/config";

// The test deployment's own tests: plain Node, real sockets, the official `convex` clients.
export default defineConfig({
  test: {
    name: "test-deployment",
    environment: "node",
    include: ["**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
