import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { interlace } from "./src/vitest/index.js";

export default defineConfig({
  resolve: {
    // Scenario files import "interlace"; inside this repo that is the source under test.
    alias: [{ find: /^interlace$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }],
  },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "isolates",
          include: ["test/**/*.test.ts"],
          exclude: ["test/tasks/**", "**/node_modules/**"],
          // Builds dist/ (worker and process threads load the runtime from it) and compiles fixtures.
          globalSetup: ["test/global-setup.ts"],
        },
      },
      {
        extends: true,
        // Task threads: the plugin instruments test files and fixtures as vite loads them.
        plugins: [interlace()],
        test: { name: "tasks", include: ["test/tasks/**/*.test.ts"] },
      },
    ],
  },
});
