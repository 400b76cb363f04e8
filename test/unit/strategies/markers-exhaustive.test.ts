import { describe, expect, it } from "vitest";
import { Exhaustive } from "../../../src/strategies/exhaustive.js";
import { MarkersExhaustive } from "../../../src/strategies/markers-exhaustive.js";
import { allInterleavings, explore, markerProjection, uniform, type ModelThread, type StepKind } from "./model.js";

const withSteps = (count: number, steps: readonly StepKind[]): ModelThread[] => uniform(count, 0).map((t) => ({ name: t.name, steps }));

describe("MarkersExhaustive", () => {
  it.each([2, 3])("%d threads of (await, marker, await, marker): one run per marker order, every marker order once", (count) => {
    const model = withSteps(count, ["await", "marker", "await", "marker"]);
    const expected = new Set(allInterleavings(model).map((r) => markerProjection(model, r.decisions)));
    const strategy = new MarkersExhaustive();
    const projections = explore(strategy, model).map((r) => markerProjection(model, r.decisions));
    expect(projections).toHaveLength(expected.size); // 6 for two threads, 90 for three
    expect(new Set(projections)).toEqual(expected);
    expect(strategy.beginRun(projections.length)).toBe(false);
  });

  it("threads of (marker, await, await, marker, await): marker orders only, gates never branch", () => {
    const model = withSteps(2, ["marker", "await", "await", "marker", "await"]);
    const expected = new Set(allInterleavings(model).map((r) => markerProjection(model, r.decisions)));
    const projections = explore(new MarkersExhaustive(), model).map((r) => markerProjection(model, r.decisions));
    expect(projections).toHaveLength(expected.size);
    expect(new Set(projections)).toEqual(expected);
  });

  it("a thread leaving a marker runs on through its gates to its next marker", () => {
    const model = withSteps(2, ["await", "marker", "await", "marker"]);
    for (const { decisions } of explore(new MarkersExhaustive(), model)) {
      // Each thread's gate steps (0 and 2) directly follow the step before them in the same thread.
      const taken = new Map<string, number>();
      decisions.forEach((thread, i) => {
        const index = taken.get(thread) ?? 0;
        if (index === 2) expect(decisions[i - 1]).toBe(thread);
        taken.set(thread, index + 1);
      });
    }
  });

  it("with markers only, it is the full exhaustive search", () => {
    const model = uniform(3, 2, "marker");
    const markers = explore(new MarkersExhaustive(), model).map((r) => r.decisions.join(""));
    const full = explore(new Exhaustive(), model).map((r) => r.decisions.join(""));
    expect(markers).toEqual(full);
  });

  it("with gates only, there is a single run", () => {
    expect(explore(new MarkersExhaustive(), uniform(3, 3, "await"))).toHaveLength(1);
  });
});
