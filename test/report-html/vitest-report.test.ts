/**
 * The vitest plugin's `report` option: a vitest run of its own (fixtures/vitest/vitest.config.ts)
 * over one failing test with a counterexample and one passing test that finds one too writes
 * exactly one report, named after the failing test.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "interlace-vitest-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("writes one report per failing test, none for a passing one", async () => {
  const reports = join(dir, "reports");
  const run = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--config", "test/report-html/fixtures/vitest/vitest.config.ts"],
      { cwd: root, encoding: "utf8", timeout: 90_000, env: { ...process.env, REPORT_TEST_DIR: reports, CI: "true", NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, output: stdout + stderr }),
    );
  });
  expect(run.code, run.output).toBe(1);
  expect(run.output).toMatch(/1 failed.*1 passed/);
  const name = "test-report-html-fixtures-vitest-race-fixture-async-counter-loses-an-update.html";
  expect(readdirSync(reports)).toEqual([name]);
  expect(run.output).toContain(`wrote the report of "loses an update" to ${join(reports, name)}`);
  const html = readFileSync(join(reports, name), "utf8");
  expect(html).toContain('<span id="headline">Invariant violated</span>');
  expect(html).toContain('"threads":["task1","task2"]');
}, 120_000);
