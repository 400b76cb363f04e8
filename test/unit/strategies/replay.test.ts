import { describe, expect, it } from "vitest";
import { Prng } from "../../../src/strategies/prng.js";
import { RandomWalk } from "../../../src/strategies/random.js";
import { Replay } from "../../../src/strategies/replay.js";
import { explore, runOnce, uniform } from "./model.js";

describe("Replay", () => {
  it("follows the recorded decisions in a single run", () => {
    const strategy = new Replay(["B", "A", "A", "B"]);
    expect(runOnce(strategy, uniform(2, 2), 0)?.decisions).toEqual(["B", "A", "A", "B"]);
    expect(strategy.beginRun(1)).toBe(false);
  });

  it("after the recording, keeps the previous thread while it is runnable, then the first runnable", () => {
    expect(runOnce(new Replay(["B"]), uniform(3, 2), 0)?.decisions).toEqual(["B", "B", "A", "A", "C", "C"]);
    expect(runOnce(new Replay([]), uniform(2, 2), 0)?.decisions).toEqual(["A", "A", "B", "B"]);
  });

  it("throws with the step number when the recorded thread is not runnable", () => {
    expect(() => runOnce(new Replay(["A", "A", "A", "B"]), uniform(2, 2), 0)).toThrow("replay diverged at step 2: recorded A, runnable now [B]");
  });

  it("seed 13: replays random runs exactly", () => {
    const model = uniform(3, 3);
    for (const { decisions } of explore(new RandomWalk(new Prng(13)), model, { maxRuns: 20 })) {
      expect(runOnce(new Replay(decisions), model, 0)?.decisions).toEqual(decisions);
    }
  });
});
