// The runtime's Atomics wrappers, installed in this process for each test and removed after it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AccessRing } from "../../../src/controller/access-ring.js";
import { wrapAtomics } from "../../../src/runtime/atomics.mjs";
import { SharedRecorder } from "../../../src/runtime/shared-recorder.mjs";
import type { RunnerEvent } from "../../../src/protocol/messages.js";

const NAMES = ["add", "and", "compareExchange", "exchange", "load", "notify", "or", "store", "sub", "wait", "waitAsync", "xor"] as const;
const originals = new Map(NAMES.map((name) => [name, Object.getOwnPropertyDescriptor(Atomics, name)]));

let ring: AccessRing;
let recorder: SharedRecorder;
let events: RunnerEvent[];

function start(state: unknown): void {
  recorder.startRun(state);
}

beforeEach(() => {
  ring = AccessRing.create("t1", 64);
  recorder = new SharedRecorder(ring.buffer);
  events = [];
  wrapAtomics((event) => events.push(event), undefined, recorder);
});

afterEach(() => {
  for (const [name, descriptor] of originals) if (descriptor) Object.defineProperty(Atomics, name, descriptor);
});

describe("Atomics on numbered SharedArrayBuffers", () => {
  it("records load as a read, store/exchange/read-modify-writes as writes of the value written", () => {
    const cells = new Int32Array(new SharedArrayBuffer(16));
    start({ cells });
    expect(Atomics.store(cells, 1, 5)).toBe(5);
    expect(Atomics.load(cells, 1)).toBe(5);
    expect(Atomics.add(cells, 1, 2)).toBe(5);
    expect(Atomics.sub(cells, 1, 10)).toBe(7);
    expect(Atomics.and(cells, 1, 6)).toBe(-3);
    expect(Atomics.or(cells, 1, 1)).toBe(4);
    expect(Atomics.xor(cells, 1, 0b11)).toBe(5);
    expect(Atomics.exchange(cells, 1, 2 ** 31)).toBe(6);
    expect(cells[1]).toBe(-(2 ** 31));
    const write = (value: string) => ({ op: "write", location: "sab#1@4", label: "cells[1]", value });
    expect(ring.drain()).toEqual([
      write("5"),
      { op: "read", location: "sab#1@4", label: "cells[1]", value: "5" },
      write("7"),
      write("-3"),
      write("4"),
      write("5"),
      write("6"),
      write(String(-(2 ** 31))),
    ]);
  });

  it("compareExchange writes when it swapped, reads otherwise", () => {
    const cells = new Int32Array(new SharedArrayBuffer(8), 4);
    start({ cells });
    expect(Atomics.compareExchange(cells, 0, 0, 9)).toBe(0);
    expect(Atomics.compareExchange(cells, 0, 0, 1)).toBe(9);
    expect(ring.drain()).toEqual([
      { op: "write", location: "sab#1@4", label: "cells[0]", value: "9" },
      { op: "read", location: "sab#1@4", label: "cells[0]", value: "9" },
    ]);
  });

  it("wraps values as the element type does, BigInts included", () => {
    const bytes = new Uint8Array(new SharedArrayBuffer(4));
    const big = new BigUint64Array(new SharedArrayBuffer(16));
    start({ bytes, big });
    Atomics.store(bytes, 2, 300);
    Atomics.sub(bytes, 2, 50);
    Atomics.store(big, 1, -1n);
    Atomics.add(big, 1, 2n);
    expect(ring.drain().map((a) => `${a.op} ${a.label} ${a.value}`)).toEqual([
      "write bytes[2] 44",
      "write bytes[2] 250",
      "write big[1] 18446744073709551615n",
      "write big[1] 1n",
    ]);
  });

  it("records notify as a write and a non-blocking wait as a read", () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    start({ cells });
    expect(Atomics.notify(cells, 1)).toBe(0);
    expect(Atomics.wait(cells, 1, 5)).toBe("not-equal");
    expect(Atomics.wait(cells, 1, 0, 0)).toBe("timed-out");
    expect(ring.drain()).toEqual([
      { op: "write", location: "sab#1@4", label: "cells[1]" },
      { op: "read", location: "sab#1@4", label: "cells[1]" },
      { op: "read", location: "sab#1@4", label: "cells[1]" },
    ]);
    expect(events).toEqual([]);
  });

  it("records nothing for buffers the state does not reach, private buffers, or object indices", () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    start({ other: new SharedArrayBuffer(4) });
    Atomics.store(cells, 0, 1);
    Atomics.add(new Int32Array(4), 0, 1);
    start({ cells });
    Atomics.store(cells, { valueOf: () => 1 } as unknown as number, 1);
    Atomics.store(cells, "1" as unknown as number, 3);
    expect(ring.drain()).toEqual([{ op: "write", location: "sab#1@4", label: "cells[1]", value: "3" }]);
  });

  it("keeps errors and results of the native operations", () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    start({ cells });
    expect(() => Atomics.load(cells, 5)).toThrow(RangeError);
    expect(() => Atomics.add(new Float64Array(new SharedArrayBuffer(8)) as unknown as Int32Array, 0, 1)).toThrow(TypeError);
    expect(Atomics.store(cells, 0, 1.7)).toBe(1);
    expect(ring.drain()).toEqual([{ op: "write", location: "sab#1@0", label: "cells[0]", value: "1" }]);
  });

  it("names the wait wrapper as the controller expects", () => {
    expect(Atomics.wait.name).toBe("interlaceAtomicsWait");
    expect(Atomics.notify.name).toBe("interlaceAtomicsNotify");
    expect(Atomics.load.name).toBe("load");
  });
});
