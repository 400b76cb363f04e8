import { describe, expect, it } from "vitest";
import { classify, describeConflicts, findConflicts } from "../../../src/report/conflicts.js";
import type { ExploreStep } from "../../../src/engine/task-explore.js";
import type { ThreadAccess } from "../../../src/engine/step-accesses.js";

const r = (thread: string, label: string, value?: string): ThreadAccess => ({ thread, op: "read", location: `${label}#`, label, ...(value ? { value } : {}) });
const w = (thread: string, label: string, value?: string): ThreadAccess => ({ thread, op: "write", location: `${label}#`, label, ...(value ? { value } : {}) });
const acq = (thread: string, lock: string): ThreadAccess => ({ thread, op: "acquire", location: `lock:${lock}`, label: lock });
const rel = (thread: string, lock: string): ThreadAccess => ({ thread, op: "release", location: `lock:${lock}`, label: lock });
const step = (task: string, ...accesses: ThreadAccess[]): ExploreStep => ({ task, gate: "await", preemption: false, accesses });

describe("conflicts and classification", () => {
  it("calls the counter a lost update, with its write-write conflict first", () => {
    const steps = [step("t1", r("t1", "Counter.value", "0")), step("t2", r("t2", "Counter.value", "0")), step("t1", w("t1", "Counter.value", "1")), step("t2", w("t2", "Counter.value", "1"))];
    expect(describeConflicts(findConflicts(steps))).toEqual([
      "Write-write conflict: threads t1 and t2 both wrote Counter.value (steps 3 and 4).",
      "Read-write conflict: thread t2 read Counter.value (step 2) and thread t1 wrote it (step 3).",
    ]);
    expect(classify(steps, false)?.name).toBe("lost update");
    expect(classify(steps, false)?.detail).toBe("t2 read Counter.value (step 2), t1 wrote it (step 3), then t2 wrote it from its stale read (step 4): t1's update is lost.");
  });

  it("calls a stale check followed by a re-read and a write check-then-act", () => {
    const steps = [
      step("t1", r("t1", "Account.balance", "100")),
      step("t2", r("t2", "Account.balance", "100"), r("t2", "Account.balance", "100"), w("t2", "Account.balance", "20")),
      step("t1", r("t1", "Account.balance", "20"), w("t1", "Account.balance", "-60")),
    ];
    expect(classify(steps, false)).toEqual({
      name: "check-then-act",
      label: "Account.balance",
      detail: "t1 checked Account.balance (step 1), t2 changed it (step 2), then t1 acted on the stale check (step 3, wrote Account.balance).",
    });
  });

  it("calls a read of a never-written location before its writer an order violation", () => {
    const steps = [step("t2", r("t2", "App.config", "undefined")), step("t1", w("t1", "App.config", "Config"))];
    expect(classify(steps, false)?.detail).toBe("t2 read App.config (step 1) before t1 wrote it (step 2).");
    expect(classify([step("t2", r("t2", "App.config", "undefined"))], true)?.name).toBe("order violation");
    expect(classify([step("t2", r("t2", "App.config", "undefined"))], false)).toBeNull();
  });

  it("does not blame a thread's own undefined read on an order when two threads conflict elsewhere in the run (node-persist: a torn file)", () => {
    const file = (thread: string, op: "read" | "write"): ThreadAccess => ({ thread, op, location: "file:/s/cart", label: "file /s/cart" });
    const steps = [step("save", r("save", "Options.ttl", "undefined"), file("save", "write")), step("load", file("load", "read"))];
    expect(classify(steps, true)).toBeNull();
    expect(describeConflicts(findConflicts(steps))[0]).toMatch(/^Read-write conflict: thread load read file \/s\/cart/);
  });

  it("sees no conflict between accesses under a common lock", () => {
    const steps = [
      step("t1", acq("t1", "L"), r("t1", "Counter.value"), w("t1", "Counter.value"), rel("t1", "L")),
      step("t2", acq("t2", "L"), r("t2", "Counter.value"), w("t2", "Counter.value"), rel("t2", "L")),
    ];
    expect(findConflicts(steps)).toEqual([]);
    expect(classify(steps, false)).toBeNull();
  });
});
