// The wait for a returned thread's leftover work (runtime/quiet.mjs): what counts as pending, and
// that the controller and the runtime agree on the limit.
import { describe, expect, it } from "vitest";
import { QUIET_LIMIT_MS as PROTOCOL_LIMIT } from "../../../src/protocol/messages.js";
import { activeResources, QUIET_LIMIT_MS, untilQuiet } from "../../../src/runtime/quiet.mjs";

describe("untilQuiet", () => {
  it("uses the limit the controller names in its errors", () => {
    expect(QUIET_LIMIT_MS).toBe(PROTOCOL_LIMIT);
  });

  it("waits for a timer and the promise chain after it, then reports quiet", async () => {
    const baseline = activeResources();
    let ran = false;
    void new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
      ran = true;
    });
    expect(await untilQuiet(baseline)).toEqual([]);
    expect(ran).toBe(true);
  });

  it("does not wait for unref'd timers (they keep nothing alive)", async () => {
    const baseline = activeResources();
    const timer = setTimeout(() => {}, 60_000);
    timer.unref();
    expect(await untilQuiet(baseline)).toEqual([]);
    clearTimeout(timer);
  });

  it("gives up after the limit and names what is still pending (an interval)", async () => {
    const baseline = activeResources();
    const interval = setInterval(() => {}, 5);
    try {
      expect(await untilQuiet(baseline, 50)).toEqual(["Timeout"]);
    } finally {
      clearInterval(interval);
    }
  });
});
