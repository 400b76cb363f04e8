import { describe, expect, it } from "vitest";
import { accessDifference, conflictingPair, conflicts, dependent, eventsDependent, formatAccesses, overlaps, sameAccesses, type Access } from "../../../../src/strategies/access.js";

const r = (location: string): Access => ({ op: "read", location });
const w = (location: string): Access => ({ op: "write", location });
const acq = (lock: string): Access => ({ op: "acquire", location: lock });
const rel = (lock: string): Access => ({ op: "release", location: lock });

describe("access rules", () => {
  it.each([
    { pair: "write/write", a: w("x"), b: w("x"), conflict: true, ordered: true },
    { pair: "read/write", a: r("x"), b: w("x"), conflict: true, ordered: true },
    { pair: "write/read", a: w("x"), b: r("x"), conflict: true, ordered: true },
    { pair: "read/read", a: r("x"), b: r("x"), conflict: false, ordered: false },
    { pair: "other locations", a: w("x"), b: w("y"), conflict: false, ordered: false },
    { pair: "acquire/acquire", a: acq("L"), b: acq("L"), conflict: true, ordered: true },
    { pair: "release/acquire", a: rel("L"), b: acq("L"), conflict: false, ordered: true },
    { pair: "release/release", a: rel("L"), b: rel("L"), conflict: false, ordered: true },
    { pair: "other locks", a: acq("L"), b: acq("M"), conflict: false, ordered: false },
    { pair: "a lock and a location of the same name", a: acq("x"), b: w("x"), conflict: false, ordered: false },
  ])("$pair: conflict $conflict, dependent $ordered", ({ a, b, conflict, ordered }) => {
    expect(conflicts(a, b)).toBe(conflict);
    expect(conflicts(b, a)).toBe(conflict);
    expect(dependent(a, b)).toBe(ordered);
    expect(dependent(b, a)).toBe(ordered);
  });

  it("events are dependent when any of their accesses are", () => {
    expect(eventsDependent([r("x"), w("y")], [r("y")])).toBe(true);
    expect(eventsDependent([r("x"), w("y")], [r("x"), w("z")])).toBe(false);
    expect(eventsDependent([], [w("x")])).toBe(false);
  });

  it("conflictingPair names the first conflicting accesses, first event's first", () => {
    expect(conflictingPair([r("y"), r("x")], [w("x")])).toEqual([r("x"), w("x")]);
    expect(conflictingPair([rel("L")], [acq("L")])).toBeNull();
  });

  it("sameAccesses ignores labels; formatAccesses prefers them", () => {
    expect(sameAccesses([{ ...w("x"), label: "Counter.value" }], [w("x")])).toBe(true);
    expect(sameAccesses([w("x")], [r("x")])).toBe(false);
    expect(formatAccesses([{ ...w("obj#1.v"), label: "Counter.value" }, acq("lock#2")])).toBe("[write Counter.value, acquire lock#2]");
  });
});

describe("containment (within: a row of a table)", () => {
  const row = (op: "read" | "write", key: string): Access => ({ op, location: `sql:db/t(id=${key})`, within: "sql:db/t" });
  const table = (op: "read" | "write"): Access => ({ op, location: "sql:db/t" });

  it("a table-level access overlaps every row of the table; rows of one table do not overlap each other", () => {
    expect(overlaps(row("read", "1"), table("read"))).toBe(true);
    expect(overlaps(table("write"), row("write", "2"))).toBe(true);
    expect(overlaps(row("write", "1"), row("write", "2"))).toBe(false);
    expect(overlaps(row("write", "1"), row("read", "1"))).toBe(true);
    expect(overlaps(row("write", "1"), { op: "write", location: "sql:db/u(id=1)", within: "sql:db/u" })).toBe(false);
  });

  it("conflicts and dependence follow: one side must write", () => {
    expect(conflicts(row("read", "1"), table("write"))).toBe(true);
    expect(conflicts(table("read"), row("write", "1"))).toBe(true);
    expect(conflicts(table("read"), row("read", "1"))).toBe(false);
    expect(conflicts(row("write", "1"), row("write", "2"))).toBe(false);
    expect(dependent(row("write", "1"), table("read"))).toBe(true);
    expect(dependent(row("write", "1"), row("write", "2"))).toBe(false);
  });
});

describe("accessDifference (divergence messages)", () => {
  it("names the first access that differs by location, with its label, and both lengths", () => {
    const a = (location: string, label?: string): Access => ({ op: "read", location, ...(label === undefined ? {} : { label }) });
    const now = [a("Object#1.a", "Object.a"), a("Object#30.ttl", "Object.ttl")];
    const before = [a("Object#1.a", "Object.a"), a("Object#22.ttl", "Object.ttl"), a("x")];
    expect(accessDifference(now, before)).toBe("2 accesses, before 3; the first difference is access 2: now read Object#30.ttl (Object.ttl), before read Object#22.ttl (Object.ttl)");
    expect(accessDifference(now.slice(0, 1), now)).toBe("1 accesses, before 2; the first difference is access 2: now nothing, before read Object#30.ttl (Object.ttl)");
  });
});
