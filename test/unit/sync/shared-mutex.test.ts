// SharedMutex in one thread: the lock itself, and what it reports through the runtime's hook.
import { afterEach, describe, expect, it } from "vitest";
import { AccessRing } from "../../../src/controller/access-ring.js";
import { InterlaceError, UsageError } from "../../../src/errors.js";
import { SHARED_MEMORY_HOOK } from "../../../src/protocol/messages.js";
import { wrapAtomics } from "../../../src/runtime/atomics.mjs";
import { installLockHooks } from "../../../src/runtime/lock-hooks.mjs";
import { SharedRecorder } from "../../../src/runtime/shared-recorder.mjs";
import { SharedMutex } from "../../../src/sync/index.js";

const ATOMICS = Object.getOwnPropertyDescriptors(Atomics);

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for(SHARED_MEMORY_HOOK)];
  for (const [name, descriptor] of Object.entries(ATOMICS)) Object.defineProperty(Atomics, name, descriptor);
});

describe("SharedMutex as a plain lock", () => {
  it("locks, unlocks, and tells whether it is held", () => {
    const m = new SharedMutex();
    expect(m.isLocked).toBe(false);
    m.lock();
    expect(m.isLocked).toBe(true);
    expect(m.tryLock()).toBe(false);
    m.unlock();
    expect(m.tryLock()).toBe(true);
    m.unlock();
    expect(m.isLocked).toBe(false);
  });

  it("throws typed errors on misuse: unlock when free or held by another thread, lock twice", () => {
    const m = new SharedMutex("account");
    expect(() => m.unlock()).toThrow(UsageError);
    expect(() => m.unlock()).toThrow(/SharedMutex "account"\.unlock\(\): it is not held/);
    new Int32Array(m.buffer)[0] = 12345; // another thread's tag
    let caught: unknown;
    try {
      m.unlock();
    } catch (error) {
      caught = error;
    }
    expect((caught as InterlaceError).code).toBe("E_USAGE");
    expect((caught as Error).message).toMatch(/another thread holds it/);
    new Int32Array(m.buffer)[0] = 0;
    m.lock();
    expect(() => m.lock()).toThrow(/already holds it/);
    m.unlock();
  });

  it("withLock gives the lock back however the function ends, promises included", async () => {
    const m = new SharedMutex();
    expect(m.withLock(() => 7)).toBe(7);
    expect(m.isLocked).toBe(false);
    expect(() => m.withLock(() => { throw new Error("boom"); })).toThrow("boom");
    expect(m.isLocked).toBe(false);
    const pending = m.withLock(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return m.isLocked;
    });
    expect(m.isLocked).toBe(true);
    expect(await pending).toBe(true);
    expect(m.isLocked).toBe(false);
  });

  it("travels by structured clone: from() takes the clone, the buffer or an Int32Array", () => {
    const m = new SharedMutex("m");
    const clone = structuredClone(m);
    expect(Object.keys(clone).sort()).toEqual(["buffer", "byteOffset", "name"]);
    const other = SharedMutex.from(clone);
    expect(other.name).toBe("m");
    m.lock();
    expect(other.isLocked).toBe(true);
    m.unlock();
    expect(SharedMutex.from(m)).toBe(m);
    const sab = new SharedArrayBuffer(16);
    expect(SharedMutex.from(sab).byteOffset).toBe(0);
    expect(SharedMutex.from(new Int32Array(sab, 8)).byteOffset).toBe(8);
    expect(() => SharedMutex.from({} as SharedArrayBuffer)).toThrow(UsageError);
  });

  it("validates its placement", () => {
    expect(() => new SharedMutex("")).toThrow(UsageError);
    expect(() => new SharedMutex(undefined, new SharedArrayBuffer(8), 2)).toThrow(/multiple of 4/);
    expect(() => new SharedMutex(undefined, new SharedArrayBuffer(8), 8)).toThrow(/past the end/);
    expect(() => new SharedMutex(undefined, new ArrayBuffer(8) as unknown as SharedArrayBuffer)).toThrow(UsageError);
  });
});

describe("SharedMutex in a recorded worker (the runtime's hook, in this thread)", () => {
  function recorded(state: unknown): AccessRing {
    const ring = AccessRing.create("t1", 64);
    const recorder = new SharedRecorder(ring.buffer);
    wrapAtomics(() => {}, undefined, recorder);
    installLockHooks(recorder);
    recorder.startRun(state);
    return ring;
  }

  it("reports acquire and release of its lock, not its Atomics operations on the cell", () => {
    const state = structuredClone({ lock: new SharedMutex(), data: new Int32Array(new SharedArrayBuffer(4)) });
    const ring = recorded(state);
    const lock = SharedMutex.from(state.lock);
    lock.withLock(() => Atomics.add(state.data, 0, 1));
    expect(lock.tryLock()).toBe(true);
    lock.unlock();
    expect(ring.drain()).toEqual([
      { op: "acquire", location: "lock:sab#1@0", label: "lock" },
      { op: "write", location: "sab#2@0", label: "data[0]", value: "1" },
      { op: "release", location: "lock:sab#1@0", label: "lock" },
      { op: "acquire", location: "lock:sab#1@0", label: "lock" },
      { op: "release", location: "lock:sab#1@0", label: "lock" },
    ]);
  });

  it("records nothing for a lock the state does not reach", () => {
    const ring = recorded({});
    const lock = new SharedMutex();
    lock.lock();
    lock.unlock();
    expect(ring.drain()).toEqual([]);
  });

  it("with lock gates on, announces the lock before taking it and clears the intent once taken", () => {
    const state = structuredClone({ locks: [new SharedMutex("a"), new SharedMutex("b")] });
    const ring = recorded(state);
    const hook = (globalThis as Record<symbol, any>)[Symbol.for(SHARED_MEMORY_HOOK)];
    const handle = hook.lockOf(state.locks[1]!.buffer, 0);
    hook.gate(handle);
    expect(ring.intent()).toBeNull(); // gates off: no intent
    ring.lockGates = true;
    hook.gate(handle);
    expect(ring.intent()).toEqual({ location: "lock:sab#2@0", label: "b" });
    SharedMutex.from(state.locks[1]!).lock();
    expect(ring.intent()).toBeNull();
    expect(ring.drain()).toEqual([{ op: "acquire", location: "lock:sab#2@0", label: "b" }]);
  });
});
