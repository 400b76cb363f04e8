// Shared-memory access recording in real worker threads: SharedArrayBuffer ids agreed across
// isolates, Atomics operations recorded with their values, SharedMutex as a real lock (with and
// without recording) and its lock gate under a debugger.
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { AccessRing, sharedBuffersOf } from "../../src/controller/access-ring.js";
import { OutputSink } from "../../src/controller/output.js";
import { WorkerTarget } from "../../src/controller/worker-target.js";
import { LOCK_GATE_FUNCTION, READY_FUNCTION, type RunnerEvent, type ThreadLaunch } from "../../src/protocol/messages.js";
import type { Access } from "../../src/strategies/access.js";
import { SharedMutex } from "../../src/sync/index.js";
import { checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

const ENTRY = new URL("../../src/runtime/worker-entry.mjs", import.meta.url);
const THREADS = new URL("../../fixtures/shared-memory/threads.mjs", import.meta.url).href;

/** A worker running the runtime without a debugger: the ready point lets it through at once. */
class BareThread {
  readonly ring: AccessRing | null;
  readonly events: RunnerEvent[] = [];
  readonly #worker: Worker;
  readonly #proceed: MessagePort;
  #ended: Array<(event: RunnerEvent) => void> = [];

  constructor(exportName: string, state: unknown, args: unknown[], record: boolean, moduleUrl: string) {
    this.ring = record ? AccessRing.create(exportName) : null;
    const proceed = new MessageChannel();
    const useTsx = moduleUrl.endsWith(".ts");
    const launch: ThreadLaunch = { thread: exportName, moduleUrl, exportName, args, useTsx, ...(this.ring ? { accesses: this.ring.buffer } : {}) };
    this.#proceed = proceed.port1;
    this.#worker = new Worker(ENTRY, { workerData: { launch, state, proceed: proceed.port2 }, transferList: [proceed.port2], execArgv: [] });
    this.#worker.on("message", (event: RunnerEvent) => {
      this.events.push(event);
      if (event.type !== "blocked") for (const resolve of this.#ended.splice(0)) resolve(event);
    });
    this.#proceed.postMessage(true);
    this.#worker.postMessage("go");
  }

  /** The end of the current run (`returned`, `threw`, …). */
  ended(): Promise<RunnerEvent> {
    return new Promise((resolve) => this.#ended.push(resolve));
  }

  /** Starts another run with `state`. */
  again(state: unknown): void {
    this.#proceed.postMessage(true);
    this.#worker.postMessage({ type: "again", state });
  }

  async terminate(): Promise<void> {
    this.#proceed.close();
    await this.#worker.terminate();
  }
}

const running: BareThread[] = [];
function start(exportName: string, state: unknown, args: unknown[] = [], record = true, moduleUrl = THREADS): BareThread {
  const thread = new BareThread(exportName, state, args, record, moduleUrl);
  running.push(thread);
  return thread;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.terminate()));
});

/**
 * A worker launched as interlace launches it (WorkerTarget: inspector attached, tsx's esbuild
 * stopped at dispose), resumed at every pause; `atGate` runs while it is stopped at a lock gate.
 */
async function runUnderDebugger(launch: ThreadLaunch, state: unknown, atGate: () => void = () => {}): Promise<{ events: RunnerEvent[]; pauses: string[] }> {
  const events: RunnerEvent[] = [];
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const listener = {
    runner: (event: RunnerEvent) => {
      events.push(event);
      if (event.type !== "blocked") ended();
    },
    exit: () => ended(),
  };
  const target = await WorkerTarget.launch(launch, state, listener, new OutputSink());
  try {
    const pauses: string[] = [];
    target.session.on("Debugger.paused", (paused) => {
      const where = paused.callFrames[0]?.functionName ?? "";
      pauses.push(where);
      if (where === READY_FUNCTION) target.proceed();
      if (where === LOCK_GATE_FUNCTION) atGate();
      target.session.post("Debugger.resume");
    });
    await target.session.send("Debugger.enable");
    target.go();
    await done;
    return { events, pauses };
  } finally {
    await target.dispose();
  }
}

const brief = (accesses: Access[]) => accesses.map((a) => `${a.op} ${a.location} ${a.label}${a.value === undefined ? "" : ` = ${a.value}`}`);

describe("SharedArrayBuffer ids", () => {
  it("agree between workers, and with sharedBuffersOf on the controller's side", async () => {
    const state = { cells: new Int32Array(new SharedArrayBuffer(8)), nested: { raw: new SharedArrayBuffer(4) } };
    const threads = [start("touch", state), start("touch", state)];
    const ends = await Promise.all(threads.map((t) => t.ended()));
    expect(ends.map((e) => e.type)).toEqual(["returned", "returned"]);
    const [one, two] = threads.map((t) => brief(t.ring!.drain()));
    expect(one).toEqual(["write sab#1@4 cells[1] = 7", "read sab#2@0 nested.raw[byte 0] = 0"]);
    expect(two).toEqual(one);
    const buffers = sharedBuffersOf(state);
    expect(new Int32Array(buffers.get(1)!)[1]).toBe(7);
    expect(buffers.get(2)!.byteLength).toBe(4);
  });

  it("are numbered afresh for each run's state", async () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    const raw = new SharedArrayBuffer(4);
    const thread = start("touch", { cells, nested: { raw } });
    await thread.ended();
    expect(thread.ring!.drain()).toHaveLength(2);
    const ended = thread.ended();
    thread.again({ nested: { raw }, cells });
    expect((await ended).type).toBe("returned");
    expect(brief(thread.ring!.drain())).toEqual(["write sab#2@4 cells[1] = 7", "read sab#1@0 nested.raw[byte 0] = 0"]);
  });
});

describe("Atomics in a recorded worker", () => {
  it("records every operation with its op and value, and nothing on buffers the state does not reach", async () => {
    const thread = start("everyOperation", { cells: new Int32Array(new SharedArrayBuffer(8)) });
    expect((await thread.ended()).type).toBe("returned");
    const at0 = (op: string, value: number) => `${op} sab#1@0 cells[0] = ${value}`;
    expect(brief(thread.ring!.drain())).toEqual([
      at0("write", 5),
      at0("read", 5),
      at0("write", 8),
      at0("write", 7),
      at0("write", 6),
      at0("write", 15),
      at0("write", 14),
      at0("write", 100),
      at0("write", 101),
      at0("read", 101),
      "write sab#1@4 cells[1]",
      "read sab#1@4 cells[1]",
    ]);
  });
});

describe("element reads and writes (the access transform in the worker)", () => {
  const FILES = {
    "ES module": THREADS,
    TypeScript: new URL("../../fixtures/shared-memory/elements.ts", import.meta.url).href,
    CommonJS: new URL("../../fixtures/shared-memory/elements.cjs", import.meta.url).href,
  };
  for (const [kind, url] of Object.entries(FILES)) {
    it(`records the elements of numbered buffers only, with their values (${kind})`, async () => {
      const state = { cells: new Int32Array(new SharedArrayBuffer(16)), raw: new SharedArrayBuffer(8), big: new BigInt64Array(new SharedArrayBuffer(8)) };
      const ring = AccessRing.create(kind);
      const launch: ThreadLaunch = { thread: kind, moduleUrl: url, exportName: "elements", args: [], useTsx: kind === "TypeScript", accesses: ring.buffer };
      const { events } = await runUnderDebugger(launch, state);
      expect(events.filter((e) => e.type !== "blocked")).toEqual([{ type: "returned" }]);
      expect(brief(ring.drain())).toEqual([
        "write sab#1@0 cells[0] = 5",
        "read sab#1@4 cells[1] = 0",
        "write sab#1@4 cells[1] = 1",
        "read sab#1@0 cells[0] = 5",
        "write sab#1@8 cells[2] = 7",
        "write sab#1@12 cells[3] = 7",
        "write sab#2@4 raw[byte 4] = 6",
        "read sab#3@0 big[0] = 0n",
        "write sab#3@0 big[0] = 2n",
      ]);
      expect([...state.cells]).toEqual([5, 1, 7, 7]);
    });
  }
});

describe("a step that overflows the ring", () => {
  it("keeps the accesses that fit, counts the rest as an outside-world write, and the ring works again after it", async () => {
    const bytes = new Uint8Array(new SharedArrayBuffer(70_000));
    const thread = start("flood", { bytes });
    expect((await thread.ended()).type).toBe("returned");
    const drained = thread.ring!.drain();
    expect(drained).toHaveLength(thread.ring!.capacity + 1);
    expect(drained[0]).toMatchObject({ op: "write", location: expect.stringMatching(/^sab#\d+@0$/) });
    expect(drained.at(-1)).toMatchObject({ op: "write", location: "*", origin: "unrecorded accesses", value: `${70_000 - thread.ring!.capacity} not recorded` });
    expect(thread.ring!.drain()).toEqual([]);
    expect(bytes.every((b) => b === 1)).toBe(true);
  });
});

describe("SharedMutex across workers", () => {
  for (const record of [false, true]) {
    it(`4 workers × 10,000 locked increments lose no update (${record ? "recorded: acquire/release in every ring" : "plain lock"})`, async () => {
      const state = { lock: new SharedMutex(), counter: new Int32Array(new SharedArrayBuffer(4)) };
      const threads = Array.from({ length: 4 }, () => start("increment", state, [10_000], record));
      const ends = await Promise.all(threads.map((t) => t.ended()));
      expect(ends.map((e) => e.type)).toEqual(["returned", "returned", "returned", "returned"]);
      expect(state.counter[0]).toBe(40_000);
      expect(state.lock.isLocked).toBe(false);
      if (!record) return;
      for (const thread of threads) {
        const accesses = thread.ring!.drain();
        // Each increment: acquire, read and write of counter[0] (the access transform), release.
        expect(accesses).toHaveLength(40_000);
        const ops = accesses.map((a) => `${a.op} ${a.label}`);
        const pattern = ["acquire lock", "read counter[0]", "write counter[0]", "release lock"];
        expect(ops.every((op, i) => op === pattern[i % 4])).toBe(true);
        expect(accesses.filter((a) => a.op === "acquire").every((a) => a.location === "lock:sab#1@0")).toBe(true);
      }
    });
  }
});

describe("lock gates", () => {
  it("stop lock() before it takes its lock, with the lock in the ring; resumed once it is free, it takes it at once", async () => {
    const state = { lock: new SharedMutex(), counter: new Int32Array(new SharedArrayBuffer(4)) };
    const ring = AccessRing.create("gated");
    ring.lockGates = true;
    const launch: ThreadLaunch = { thread: "gated", moduleUrl: THREADS, exportName: "lockOnce", args: [], useTsx: false, accesses: ring.buffer };
    let atGate: { intent: unknown; held: boolean } | undefined;
    state.lock.lock(); // held by this thread until the worker stops at its gate
    const { events, pauses } = await runUnderDebugger(launch, state, () => {
      const cell = new Int32Array(sharedBuffersOf(state).get(1)!);
      atGate = { intent: ring.intent(), held: Atomics.load(cell, 0) !== 0 };
      state.lock.unlock();
    });
    expect(pauses).toEqual([READY_FUNCTION, LOCK_GATE_FUNCTION]);
    expect(atGate).toEqual({ intent: { location: "lock:sab#1@0", label: "lock" }, held: true });
    // Never blocked in the fixture (Node's loader-hooks handshake waits too, without a traced frame).
    expect(events.filter((e) => e.type !== "blocked" || e.stack.includes("threads.mjs"))).toEqual([{ type: "returned" }]);
    expect(ring.intent()).toBeNull();
    expect(brief(ring.drain())).toEqual(["acquire lock:sab#1@0 lock", "write sab#2@0 counter[0] = 1", "release lock:sab#1@0 lock"]);
  });

  it("are skipped while off: the lock is taken without stopping", async () => {
    const state = { lock: new SharedMutex(), counter: new Int32Array(new SharedArrayBuffer(4)) };
    const ring = AccessRing.create("ungated");
    const launch: ThreadLaunch = { thread: "ungated", moduleUrl: THREADS, exportName: "lockOnce", args: [], useTsx: false, accesses: ring.buffer };
    const { pauses } = await runUnderDebugger(launch, state);
    expect(pauses).toEqual([READY_FUNCTION]);
    expect(brief(ring.drain())).toEqual(["acquire lock:sab#1@0 lock", "write sab#2@0 counter[0] = 1", "release lock:sab#1@0 lock"]);
  });
});
