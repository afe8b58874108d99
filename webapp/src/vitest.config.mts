import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// The web app's component tests: React in jsdom, Convex faked at the hooks' boundary.
export default defineProject({
  plugins: [react()],
  test: {
    name: "webapp",
    environment: "jsdom",
    include: ["**/*.test.{ts,tsx}"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 10_000,
  },
});
