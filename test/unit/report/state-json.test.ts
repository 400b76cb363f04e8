// `--json` reports give the final state as JSON: plain data as itself, the rest tagged.
import { describe, expect, it } from "vitest";
import { stateToJson } from "../../../src/report/state-json.js";

class Account {
  balance = 100;
  owner = "ada";
}

describe("stateToJson", () => {
  it("keeps plain data as it is and turns typed arrays (shared ones too) into arrays", () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    cells[1] = 7;
    expect(stateToJson({ n: 1, s: "x", ok: true, none: null, list: [1, "a"], cells, big: new BigInt64Array([5n]) })).toEqual({
      n: 1,
      s: "x",
      ok: true,
      none: null,
      list: [1, "a"],
      cells: [0, 7],
      big: ["5"],
    });
  });

  it("tags what JSON cannot hold", () => {
    const state = { m: new Map([["k", 1]]), set: new Set([2]), b: 3n, nan: NaN, date: new Date(0), buf: new SharedArrayBuffer(4), f: function named() {}, account: new Account(), gone: undefined, holes: [undefined] };
    const json = stateToJson(state);
    expect(json).toEqual({
      m: { $map: [["k", 1]] },
      set: { $set: [2] },
      b: { $bigint: "3" },
      nan: { $number: "NaN" },
      date: "1970-01-01T00:00:00.000Z",
      buf: { $bytes: 4 },
      f: { $function: "named" },
      account: { $class: "Account", balance: 100, owner: "ada" },
      holes: [null],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("marks cycles and stops at a depth, but repeats shared (non-cyclic) values", () => {
    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    const shared = { v: 1 };
    expect(stateToJson({ loop, a: shared, b: shared })).toEqual({ loop: { name: "loop", self: { $circular: true } }, a: { v: 1 }, b: { v: 1 } });
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 20; i++) deep = (deep.next = {}) as Record<string, unknown>;
    expect(JSON.stringify(stateToJson(top))).toContain('{"$depth":true}');
  });
});
