import { describe, expect, it } from "vitest";
import { AccessRing, sharedBuffersOf } from "../../../src/controller/access-ring.js";
import { isWorld, OVERFLOW_ORIGIN } from "../../../src/strategies/access.js";
import { ACCESS_RING, ELEMENT_KINDS } from "../../../src/protocol/messages.js";
import { ELEMENT_KINDS as RUNTIME_KINDS, OP_ACQUIRE, OP_READ, OP_RELEASE, OP_WRITE, RING, RingWriter, ringBytes } from "../../../src/runtime/access-ring.mjs";

const INT32 = ELEMENT_KINDS.indexOf("Int32Array");
const FLOAT64 = ELEMENT_KINDS.indexOf("Float64Array");
const BIGINT64 = ELEMENT_KINDS.indexOf("BigInt64Array");
const BIGUINT64 = ELEMENT_KINDS.indexOf("BigUint64Array");

function pair(capacity = 8): { ring: AccessRing; writer: RingWriter } {
  const ring = AccessRing.create("t1", capacity);
  return { ring, writer: new RingWriter(ring.buffer) };
}

describe("access ring layout", () => {
  it("the runtime repeats the protocol's numbers", () => {
    expect({ ...RING }).toEqual({ ...ACCESS_RING });
    expect([...RUNTIME_KINDS]).toEqual([...ELEMENT_KINDS]);
    expect(ringBytes(10)).toBe(AccessRing.create("", 10).buffer.byteLength);
  });

  it("holds 65,536 entries by default, in 1 MiB and a header", () => {
    const ring = AccessRing.create();
    expect(ring.capacity).toBe(65_536);
    expect(ring.buffer.byteLength).toBe(ACCESS_RING.ENTRIES_AT + 65_536 * 16);
  });

  it("refuses a buffer that is not a ring, and a bad capacity", () => {
    expect(() => new AccessRing(new SharedArrayBuffer(ACCESS_RING.ENTRIES_AT))).toThrow(TypeError);
    expect(() => new RingWriter(new SharedArrayBuffer(ACCESS_RING.ENTRIES_AT))).toThrow(/no valid header/);
    expect(() => AccessRing.create("", 0)).toThrow(RangeError);
  });
});

describe("encode / decode", () => {
  it("round-trips ops, locations and values of every kind, in order", () => {
    const { ring, writer } = pair();
    writer.put(OP_READ, 1, 12, INT32, true, -7);
    writer.put(OP_WRITE, 2, 0, FLOAT64, true, 0.5);
    writer.put(OP_WRITE, 3, 8, BIGINT64, true, -(2n ** 63n));
    writer.put(OP_READ, 3, 16, BIGUINT64, true, 2n ** 64n - 1n);
    writer.put(OP_WRITE, 0xfffffe, 2 ** 31 + 4, INT32, false, 0);
    writer.put(OP_ACQUIRE, 4, 4, 0, false, 0);
    writer.put(OP_RELEASE, 4, 4, 0, false, 0);
    expect(ring.size).toBe(7);
    expect(ring.drain()).toEqual([
      { op: "read", location: "sab#1@12", label: "sab#1@12", value: "-7" },
      { op: "write", location: "sab#2@0", label: "sab#2@0", value: "0.5" },
      { op: "write", location: "sab#3@8", label: "sab#3@8", value: "-9223372036854775808n" },
      { op: "read", location: "sab#3@16", label: "sab#3@16", value: "18446744073709551615n" },
      { op: "write", location: `sab#16777214@${2 ** 31 + 4}`, label: `sab#16777214@${2 ** 31 + 4}` },
      { op: "acquire", location: "lock:sab#4@4", label: "sab#4@4" },
      { op: "release", location: "lock:sab#4@4", label: "sab#4@4" },
    ]);
  });

  it("drain empties the ring; the next step starts afresh", () => {
    const { ring, writer } = pair();
    writer.put(OP_READ, 1, 0, INT32, true, 1);
    expect(ring.drain()).toHaveLength(1);
    expect(ring.drain()).toEqual([]);
    writer.put(OP_WRITE, 1, 4, INT32, true, 2);
    expect(ring.drain()).toEqual([{ op: "write", location: "sab#1@4", label: "sab#1@4", value: "2" }]);
  });

  it("labels by the names the runtime published", () => {
    const { ring, writer } = pair();
    writer.writeNames({ sabs: { 1: ["cells", 8, 4], 2: ["buf", 0, 0], 3: ["wide", 0, 8] }, locks: { "4@0": "account" } });
    expect(ring.labelOf(1, 20)).toBe("cells[3]");
    expect(ring.labelOf(1, 21)).toBe("cells.buffer[byte 21]");
    expect(ring.labelOf(1, 0)).toBe("cells.buffer[byte 0]");
    expect(ring.labelOf(2, 12)).toBe("buf[byte 12]");
    expect(ring.labelOf(3, 16)).toBe("wide[2]");
    expect(ring.labelOf(9, 16)).toBe("sab#9@16");
    writer.put(OP_ACQUIRE, 4, 0, 0, false, 0);
    writer.put(OP_ACQUIRE, 2, 4, 0, false, 0);
    expect(ring.drain().map((a) => a.label)).toEqual(["account", "buf[byte 4]"]);
    // A new run publishes new names.
    writer.writeNames({ sabs: { 1: ["other", 0, 4] }, locks: {} });
    expect(ring.labelOf(1, 20)).toBe("other[5]");
  });

  it("leaves out names that do not fit, whole", () => {
    const { ring, writer } = pair();
    const sabs: Record<string, [string, number, number]> = {};
    for (let id = 1; id <= 2000; id++) sabs[id] = [`a.rather.long.path.to.buffer.number[${id}]`, 0, 4];
    writer.writeNames({ sabs, locks: {} });
    expect(ring.labelOf(1, 4)).toBe("a.rather.long.path.to.buffer.number[1][1]");
    expect(ring.labelOf(2000, 4)).toBe("sab#2000@4");
  });
  it("decodes the outside world's id as a write of WORLD (an untraced call in the worker)", () => {
    const { ring, writer } = pair();
    writer.put(OP_WRITE, ACCESS_RING.WORLD_ID, 0, 0, false, 0);
    expect(ring.drain()).toEqual([{ op: "write", location: "*", label: "untraced code (a call out of traced code)", origin: "untraced code" }]);
  });
});

describe("overflow", () => {
  it("keeps what fits and ends the step with an outside-world write (not an error), without corrupting the ring", () => {
    const { ring, writer } = pair(4);
    for (let i = 0; i < 10; i++) writer.put(OP_WRITE, 1, 4 * i, INT32, true, i);
    expect(ring.size).toBe(4);
    const drained = ring.drain();
    expect(drained.slice(0, 4).map((a) => `${a.op} ${a.location} ${a.value}`)).toEqual(["write sab#1@0 0", "write sab#1@4 1", "write sab#1@8 2", "write sab#1@12 3"]);
    expect(drained[4]).toEqual({ op: "write", location: "*", label: 'thread "t1": accesses past the 4 one step records', value: "6 not recorded", origin: OVERFLOW_ORIGIN });
    expect(drained).toHaveLength(5);
    expect(isWorld(drained[4]!)).toBe(true);
    expect(ring.drain()).toEqual([]);
    writer.put(OP_READ, 1, 0, INT32, true, 3);
    expect(ring.drain()).toEqual([{ op: "read", location: "sab#1@0", label: "sab#1@0", value: "3" }]);
  });
});

describe("lock gates and intent", () => {
  it("the controller's flag reaches the runtime; the runtime's intent reaches the controller", () => {
    const { ring, writer } = pair();
    expect(ring.lockGates).toBe(false);
    expect(writer.gatesOn()).toBe(false);
    ring.lockGates = true;
    expect(writer.gatesOn()).toBe(true);
    expect(ring.intent()).toBeNull();
    writer.writeNames({ sabs: { 2: ["lock.buffer", 0, 0] }, locks: { "2@0": "lock" } });
    writer.setIntent(2, 0);
    expect(ring.intent()).toEqual({ location: "lock:sab#2@0", label: "lock" });
    writer.setIntent(0, 0);
    expect(ring.intent()).toBeNull();
    ring.lockGates = false;
    expect(writer.gatesOn()).toBe(false);
  });

  it("reset (a new run) clears entries, overflow and intent, not the flag", () => {
    const { ring, writer } = pair(1);
    ring.lockGates = true;
    writer.put(OP_READ, 1, 0, INT32, true, 1);
    writer.put(OP_READ, 1, 0, INT32, true, 1);
    writer.setIntent(1, 0);
    writer.reset();
    expect(ring.drain()).toEqual([]);
    expect(ring.intent()).toBeNull();
    expect(ring.lockGates).toBe(true);
  });
});

describe("sharedBuffersOf", () => {
  it("finds the buffers by the ids workers give them, sharing their memory", () => {
    const a = new Int32Array(new SharedArrayBuffer(8));
    const b = new SharedArrayBuffer(4);
    const buffers = sharedBuffersOf({ x: { b }, a, again: a });
    expect([...buffers.keys()]).toEqual([1, 2]);
    new Int32Array(buffers.get(2)!)[1] = 42;
    expect(a[1]).toBe(42);
    expect(buffers.get(1)!.byteLength).toBe(4);
  });
});
