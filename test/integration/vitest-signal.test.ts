/**
 * The vitest integration hands each test's signal to the explorations it starts: a vitest run of
 * its own (fixtures/vitest-signal/) where an endless exploration times out and the next test's
 * exploration, task and worker, runs at once instead of failing with "another run in progress".
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

it("a timed-out test's exploration stops, and the next test explores at once (tasks and workers)", async () => {
  const run = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--config", "fixtures/vitest-signal/vitest.config.ts", "--reporter", "verbose"],
      { cwd: root, encoding: "utf8", timeout: 120_000, env: { ...process.env, CI: "true", NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, output: stdout + stderr }),
    );
  });
  expect(run.code, run.output).toBe(1);
  expect(run.output).toMatch(/× [^\n]*task exploration: endless/);
  expect(run.output).toMatch(/✓ [^\n]*task exploration: the next one runs/);
  expect(run.output).toMatch(/× [^\n]*worker exploration: endless/);
  expect(run.output).toMatch(/✓ [^\n]*worker exploration: the next one runs/);
  expect(run.output).toMatch(/2 failed.*2 passed/);
  expect(run.output).not.toContain("Another run of task threads is in progress");
}, 150_000);
