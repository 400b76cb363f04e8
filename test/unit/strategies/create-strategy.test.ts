import { describe, expect, it } from "vitest";
import {
  createStrategy,
  Dpor,
  Exhaustive,
  IterativeBounding,
  MarkersExhaustive,
  PCT,
  Portfolio,
  Prng,
  RandomWalk,
  STRATEGY_NAMES,
  type StrategyName,
} from "../../../src/strategies/index.js";
import { explore, uniform } from "./model.js";
import { explore as exploreDpor, program as dporProgram, write as dporWrite } from "./dpor/model.js";

describe("createStrategy", () => {
  it.each([
    ["random", RandomWalk],
    ["pct", PCT],
    ["exhaustive", IterativeBounding],
    ["markers", MarkersExhaustive],
    ["dpor", Dpor],
    ["portfolio", Portfolio],
  ] as const)("%s builds the strategy of that name", (name, type) => {
    const strategy = createStrategy(name, { seed: 1 });
    expect(strategy).toBeInstanceOf(type);
    expect(strategy.name).toBe(name);
    expect(STRATEGY_NAMES).toContain(name);
  });

  it("seed 21: passes the seed, the PCT depth and the preemption bound on", () => {
    const model = uniform(3, 3);
    const runs = (strategy: Parameters<typeof explore>[0]): string[] => explore(strategy, model, { maxRuns: 20 }).map((r) => r.decisions.join(""));
    expect(runs(createStrategy("random", { seed: 21 }))).toEqual(runs(new RandomWalk(new Prng(21))));
    expect(runs(createStrategy("pct", { seed: 21, pctDepth: 2 }))).toEqual(runs(new PCT(new Prng(21), { depth: 2 })));
    expect(runs(createStrategy("pct", { seed: 21 }))).toEqual(runs(new PCT(new Prng(21))));
    expect(explore(createStrategy("exhaustive", { seed: 0, preemptionBound: 0 }), model)).toHaveLength(6);
    expect(createStrategy("exhaustive", { seed: 0, preemptionBound: 0 })).toBeInstanceOf(Exhaustive);
  });

  it("rejects an unknown name", () => {
    expect(() => createStrategy("bfs" as StrategyName, { seed: 1 })).toThrow('unknown strategy "bfs": expected one of portfolio, random, pct, exhaustive, markers, dpor');
  });

  it("passes dpor its search order and preemption bound, and rejects a bad order", () => {
    expect(createStrategy("dpor", { seed: 0, searchOrder: "diverse", preemptionBound: 1 })).toBeInstanceOf(Dpor);
    expect(() => createStrategy("dpor", { seed: 0, searchOrder: "bfs" as "dfs" })).toThrow('order must be "dfs" or "diverse", got "bfs"');
  });

  it("seed 21: passes portfolio its seed, and whether to include DPOR", () => {
    const model = uniform(3, 3);
    const runs = (strategy: Parameters<typeof explore>[0]): string[] => explore(strategy, model, { maxRuns: 20 }).map((r) => r.decisions.join(""));
    expect(runs(createStrategy("portfolio", { seed: 21, withDpor: false }))).toEqual(runs(new Portfolio({ seed: 21, dpor: false })));
    // One class: DPOR is done after run 0; the predicate keeps the exploration going.
    const oneClass = dporProgram([[dporWrite("x")]]);
    expect(exploreDpor(createStrategy("portfolio", { seed: 0 }) as Portfolio, oneClass)).toHaveLength(1);
    expect(exploreDpor(createStrategy("portfolio", { seed: 0, mayStopWhenDporDone: () => false }) as Portfolio, oneClass, { maxRuns: 9 })).toHaveLength(9);
  });
});
