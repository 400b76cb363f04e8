// The TS task fixture of test/tasks/, instrumented by the Node module hook (`--import
// interlace/register`) instead of the vite plugin: same schedules, same outcomes, same positions.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = "fixtures/tasks/run-throwing.ts";

function run(imports: string[], mode?: string): unknown {
  const args = [...imports.flatMap((m) => ["--import", m]), script, ...(mode ? [mode] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

describe("task threads through node --import interlace/register", () => {
  it("forces the lost update on the TS fixture, with original positions in the trace", () => {
    expect(run(["tsx", "interlace/register"], "lost-update")).toEqual({
      value: 1,
      trace: [
        "task1:read_value fixtures/tasks/counter.ts:15",
        "task2:read_value fixtures/tasks/counter.ts:15",
        "task1:write_value fixtures/tasks/counter.ts:17",
        "task2:write_value fixtures/tasks/counter.ts:17",
      ],
    });
  });

  it.each([
    ["tsx first", ["tsx", "interlace/register"]],
    ["interlace/register first", ["interlace/register", "tsx"]],
  ])("a throwing task's stack points at the original TS line and column (%s)", (_label, imports) => {
    const outcome = run(imports) as { code: string; message: string };
    expect(outcome.code).toBe("E_THREAD_THREW");
    expect(outcome.message).toContain('Thread "t1" threw');
    expect(outcome.message).toContain("RangeError: counter is already at 5");
    expect(outcome.message).toContain(`at Counter.incrementOrFail (${root}fixtures/tasks/counter.ts:22:27)`);
  });
});
