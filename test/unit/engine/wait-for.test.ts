import { describe, expect, it } from "vitest";
import { describeLockWaits, waitCycle } from "../../../src/engine/wait-for.js";

describe("wait-for graph", () => {
  it("finds the cycle among the waits, starting where it closes", () => {
    const waits = [
      { thread: "t0", lock: "C", holder: "t1", at: "x:1" },
      { thread: "t1", lock: "A", holder: "t2", at: "x:2" },
      { thread: "t2", lock: "B", holder: "t3", at: "x:3" },
      { thread: "t3", lock: "D", holder: "t1", at: "x:4" },
    ];
    expect(waitCycle(waits)?.map((w) => w.thread)).toEqual(["t1", "t2", "t3"]);
    expect(describeLockWaits(waits)[0]).toBe("  Cycle: t1 waits for A (held by t2), t2 waits for B (held by t3), t3 waits for D (held by t1).");
  });

  it("has no cycle when a chain ends at a thread that does not wait", () => {
    const waits = [
      { thread: "t1", lock: "A", holder: "t2", at: "x:1" },
      { thread: "t2", lock: "B", at: "x:2" },
    ];
    expect(waitCycle(waits)).toBeNull();
    expect(describeLockWaits(waits)).toEqual(["  t1: waits for A, held by t2, at x:1", "  t2: waits for B, at x:2"]);
  });
});
