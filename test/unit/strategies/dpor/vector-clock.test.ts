import { describe, expect, it } from "vitest";
import { VectorClock } from "../../../../src/strategies/vector-clock.js";

describe("VectorClock", () => {
  const a1 = VectorClock.empty.with("A", 1);
  const a2b1 = VectorClock.empty.with("A", 2).with("B", 1);

  it("starts empty: covers no event", () => {
    expect(VectorClock.empty.get("A")).toBe(0);
    expect(VectorClock.empty.covers("A", 1)).toBe(false);
    expect(VectorClock.empty.covers("A", 0)).toBe(true);
  });

  it("is immutable: with() and join() return new clocks", () => {
    const clock = a1.with("B", 3);
    expect(a1.get("B")).toBe(0);
    expect(clock.get("B")).toBe(3);
    a1.join(a2b1);
    expect(a1.get("A")).toBe(1);
  });

  it("join takes the maximum of each entry", () => {
    const joined = VectorClock.empty.with("A", 3).with("C", 1).join(a2b1);
    expect([joined.get("A"), joined.get("B"), joined.get("C")]).toEqual([3, 1, 1]);
    expect(a2b1.join(a1)).toBe(a2b1); // nothing new: the same clock
  });

  it("covers event k of a thread iff its entry is at least k (happens-before-or-equal)", () => {
    expect(a2b1.covers("A", 1)).toBe(true);
    expect(a2b1.covers("A", 2)).toBe(true);
    expect(a2b1.covers("A", 3)).toBe(false);
    expect(a2b1.covers("C", 1)).toBe(false);
  });

  it("leq is the pointwise order: concurrent clocks are not ordered", () => {
    const b1 = VectorClock.empty.with("B", 1);
    expect(a1.leq(a2b1)).toBe(true);
    expect(a2b1.leq(a1)).toBe(false);
    expect(a1.leq(b1)).toBe(false);
    expect(b1.leq(a1)).toBe(false);
    expect(VectorClock.empty.leq(a1)).toBe(true);
  });

  it("prints its entries", () => {
    expect(a2b1.toString()).toBe("{A: 2, B: 1}");
  });
});
