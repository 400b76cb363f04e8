/**
 * Child-process threads: real `node` processes sharing files, controlled through the fd-3 agent.
 */
import { describe, expect, it } from "vitest";
import { TraceExecutor, defineScenario, thread } from "interlace";
import { fileCounter, fixture, lineOf, readFileCounter, type FileState } from "../helpers/scenarios.js";

/** Runs a file-counter scenario and reads the counter inside the invariant (teardown deletes it). */
async function runCounter(schedule: string, module: URL, exportName: string, make = thread.process) {
  let seen: { value: number; ops: string[] } | undefined;
  const scenario = fileCounter(module, exportName, make);
  const result = await new TraceExecutor(schedule).run(
    defineScenario<FileState>({ ...scenario, invariant: (s) => void (seen = readFileCounter(s)) }),
  );
  return { result, ...seen! };
}

describe.each([
  { name: "ESM (.mjs)", module: fixture("counter/file-counter.mjs") },
  { name: "TypeScript through tsx", module: fixture("counter/file-counter.ts") },
])("process threads, $name", ({ module }) => {
  it("forces the lost update between two processes", async () => {
    const { value, ops, result } = await runCounter("p1:read p2:read p1:write p2:write", module, "increment");

    expect(value).toBe(1);
    expect(ops).toEqual(["1:read", "2:read", "1:write", "2:write"]);
    expect(result.trace.map((t) => `${t.step}@${t.where?.line}`)).toEqual([
      `p1:read@${lineOf(module, "const { value }")}`,
      `p2:read@${lineOf(module, "const { value }")}`,
      `p1:write@${lineOf(module, "/* interlace: write */")}`,
      `p2:write@${lineOf(module, "/* interlace: write */")}`,
    ]);
  });

  it("forces the serial order", async () => {
    const { value, ops } = await runCounter("p2:read p2:write p1:read p1:write", module, "increment");

    expect(value).toBe(2);
    expect(ops).toEqual(["2:read", "2:write", "1:read", "1:write"]);
  });
});

describe("process threads with async I/O", () => {
  it("gates markers between fs.promises calls", async () => {
    const { value, ops } = await runCounter("p1:async_read p2:async_read p1:async_write p2:async_write", fixture("counter/file-counter.mjs"), "incrementAsync");

    expect(value).toBe(1);
    expect(ops).toEqual(["1:read", "2:read", "1:write", "2:write"]);
  });
});

describe("a worker and a process in one scenario", () => {
  it("interleaves both kinds under one schedule", async () => {
    const module = fixture("counter/file-counter.mjs");
    let seen: { value: number; ops: string[] } | undefined;
    const base = fileCounter(module, "increment");
    const scenario = defineScenario<FileState>({
      ...base,
      threads: { p1: thread.worker(module, "increment", [1]), p2: thread.process(module, "increment", [2]) },
      invariant: (s) => void (seen = readFileCounter(s)),
    });

    await new TraceExecutor("p2:read p1:read p2:write p1:write").run(scenario);

    expect(seen).toEqual({ value: 1, ops: ["2:read", "1:read", "2:write", "1:write"] });
  });
});
