import { describe, expect, it } from "vitest";
import { MAX_DEPTH, namesOf, numberSharedBuffers } from "../../../src/runtime/shared-buffers.mjs";
import { SharedMutex } from "../../../src/sync/shared-mutex.js";

/** `[id, base, viewOffset, elementSize]` of each numbered buffer. */
function table(state: unknown): Array<[number, string, number, number]> {
  return numberSharedBuffers(state).list.map((info) => [info.id, info.base, info.viewOffset, info.elementSize]);
}

describe("numberSharedBuffers", () => {
  it("numbers buffers in walk order: keys in order, arrays, Map and Set values, views and bare buffers", () => {
    const s = Array.from({ length: 6 }, () => new SharedArrayBuffer(16));
    const state = {
      cells: new Int32Array(s[0]!),
      nested: { list: [1, "x", new Float64Array(s[1]!)], "odd key": new DataView(s[2]!) },
      map: new Map<unknown, unknown>([["k", { deep: s[3]! }], [{}, new Uint8Array(s[4]!, 4, 8)]]),
      set: new Set([new BigInt64Array(s[5]!, 8)]),
    };
    expect(table(state)).toEqual([
      [1, "cells", 0, 4],
      [2, "nested.list[2]", 0, 8],
      [3, 'nested["odd key"]', 0, 0],
      [4, 'map.get("k").deep', 0, 0],
      [5, "map.get(#1)", 4, 1],
      [6, "set.values()[0]", 8, 8],
    ]);
  });

  it("gives one id per buffer and labels it by the first typed-array path", () => {
    const sab = new SharedArrayBuffer(16);
    const state = { raw: sab, bytes: new DataView(sab), tail: new Int16Array(sab, 8), head: new Int32Array(sab) };
    expect(table(state)).toEqual([[1, "tail", 8, 2]]);
  });

  it("labels the state itself 'state'", () => {
    expect(table(new Int32Array(new SharedArrayBuffer(4)))).toEqual([[1, "state", 0, 4]]);
    expect(table([new SharedArrayBuffer(4)])).toEqual([[1, "state[0]", 0, 0]]);
  });

  it("ignores private buffers, primitives and functions; survives cycles", () => {
    const cyclic: Record<string, unknown> = { plain: new Int32Array(4), n: 1, f: () => 0 };
    cyclic.self = cyclic;
    cyclic.shared = new Uint32Array(new SharedArrayBuffer(4));
    expect(table(cyclic)).toEqual([[1, "shared", 0, 4]]);
    expect(table(undefined)).toEqual([]);
  });

  it(`stops ${MAX_DEPTH} levels below the state`, () => {
    let deep: Record<string, unknown> = { sab: new SharedArrayBuffer(4) };
    for (let i = 0; i < MAX_DEPTH - 1; i++) deep = { d: deep };
    expect(table(deep)).toHaveLength(1);
    expect(table({ d: deep })).toEqual([]);
  });

  it("numbers every structured clone alike", () => {
    const state = { a: [new Int32Array(new SharedArrayBuffer(8))], b: new Map([["x", new SharedArrayBuffer(4)]]), c: new SharedMutex("m") };
    const one = numberSharedBuffers(structuredClone(state));
    const two = numberSharedBuffers(structuredClone(state));
    expect(namesOf(one)).toEqual(namesOf(two));
    expect(one.list.map((i) => i.buffer.byteLength)).toEqual([8, 4, 4]);
  });

  it("names SharedMutex-shaped objects as locks: their name, else their path", () => {
    const shared = new SharedArrayBuffer(16);
    const state = structuredClone({
      named: new SharedMutex("account"),
      accounts: [{ lock: new SharedMutex(undefined, shared, 8) }],
      notALock: { buffer: new SharedArrayBuffer(4), byteOffset: 0, extra: 1 },
    });
    const found = numberSharedBuffers(state);
    expect(found.locks).toEqual({ "1@0": "account", "2@8": "accounts[0].lock" });
    expect(namesOf(found).sabs).toEqual({ 1: ["named.buffer", 0, 0], 2: ["accounts[0].lock.buffer", 0, 0], 3: ["notALock.buffer", 0, 0] });
  });
});
