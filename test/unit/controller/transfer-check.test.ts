import { describe, expect, it } from "vitest";
import { checkTransferable, findSharedMemory } from "../../../src/controller/transfer-check.js";
import { StateTransferError } from "../../../src/errors.js";

describe("findSharedMemory", () => {
  it("finds shared memory wherever it hides and names its path", () => {
    const sab = new SharedArrayBuffer(8);
    expect(findSharedMemory({ a: { b: [1, new Int32Array(sab)] } }, "state")).toBe("state.a.b[1]");
    expect(findSharedMemory(new Map([["k", { v: sab }]]), "state")).toBe("state.get(k).v");
    expect(findSharedMemory(new Set([new DataView(sab)]), "args")).toBe("args item");
  });

  it("accepts plain data, private buffers and cycles", () => {
    const cyclic: Record<string, unknown> = { buf: new Int32Array(4) };
    cyclic.self = cyclic;
    expect(findSharedMemory(cyclic, "state")).toBeNull();
  });
});

describe("checkTransferable", () => {
  it("rejects a view on a SharedArrayBuffer for a process, which would get a silent copy", () => {
    const state = { counter: new Int32Array(new SharedArrayBuffer(4)) };
    expect(() => checkTransferable("p1", "process", state)).toThrow(StateTransferError);
    expect(() => checkTransferable("p1", "process", state)).toThrow(/state\.counter is backed by a SharedArrayBuffer/);
  });

  it("accepts the same state for a worker, where it stays shared", () => {
    expect(() => checkTransferable("t1", "worker", { counter: new Int32Array(new SharedArrayBuffer(4)) })).not.toThrow();
  });

  it("rejects functions, without a doubled full stop in the message", () => {
    let message = "";
    try {
      checkTransferable("t1", "worker", { callback: () => 1 });
    } catch (error) {
      message = (error as StateTransferError).message;
      expect((error as StateTransferError).code).toBe("E_STATE_NOT_TRANSFERABLE");
    }
    expect(message).toContain('worker thread "t1"');
    expect(message).not.toContain("..");
  });
});
