/**
 * `interlace debug … --inspect`: a real CDP client (chrome-remote-interface) attached to the
 * endpoint of a real `interlace debug` child process, driven through stdin as a user would drive
 * the prompt. The client lists the targets, attaches to a worker thread at the racy step, reads a
 * local from its scopes, takes one step with `Debugger.resume`, sees the prompt's own moves as
 * resumed/paused, and is refused what would change the schedule; afterwards the counterexample
 * still replays 10/10. A process thread (examples/bank-sqlite) is attached the same way.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import CDP from "chrome-remote-interface";
import type { Protocol } from "devtools-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Counterexample } from "../../src/engine/counterexample.js";
import { REFUSED_METHODS, SCHEDULE_REFUSAL } from "../../src/debug/inspect/methods.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BANK = "examples/bank/scenario.ts";
const SQLITE = "examples/bank-sqlite/scenario.ts";
const COUNTER = "examples/async-counter/scenario.ts";
const tmp = mkdtempSync(join(tmpdir(), "interlace-inspect-"));
const children = new Set<ChildProcessWithoutNullStreams>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

function interlace(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 90_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function counterexampleOf(scenario: string, name: string): { file: string; counterexample: Counterexample } {
  const file = join(tmp, `${name}.json`);
  const explored = interlace(["explore", scenario, "--seed", "1", "--reproduce", "0", "--save", file]);
  expect(explored.code, explored.stderr).toBe(1);
  return { file, counterexample: JSON.parse(readFileSync(file, "utf8")) as Counterexample };
}

/** A `debug --inspect` child: its output so far, a command writer, and waits. */
class DebugChild {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ["bin/interlace.js", "debug", ...args, "--inspect"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    children.add(this.child);
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  async until(test: () => boolean, what: string, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`waited for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async port(): Promise<number> {
    const line = /^interlace: DevTools endpoint http:\/\/127\.0\.0\.1:(\d+) \(chrome:\/\/inspect → Configure… → 127\.0\.0\.1:\1; VS Code: an "attach" configuration with "port": \1\)$/m;
    await this.until(() => line.test(this.stderr), "the endpoint line");
    return Number(line.exec(this.stderr)![1]);
  }

  /** Sends a command; resolves with what the session printed for it (up to the next echo). */
  async command(command: string): Promise<string> {
    const echo = `(interlace) ${command}\n`;
    const from = this.stdout.length;
    this.child.stdin.write(`${command}\n`);
    await this.until(() => this.stdout.indexOf(echo, from) >= 0 && /\n$/.test(this.stdout) && this.stdout.length > this.stdout.indexOf(echo, from) + echo.length, `the answer to ${command}`);
    // The answer is complete once the output stops growing for a moment.
    let length = -1;
    while (length !== this.stdout.length) {
      length = this.stdout.length;
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.stdout.slice(this.stdout.indexOf(echo, from) + echo.length);
  }
}

/** Raw HTTP GET with a chosen Host header. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A WebSocket upgrade with a chosen Host header: the status line the server answers. */
function upgrade(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { Host: host, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

function nextEvent<T>(client: CDP.Client, event: string): Promise<T> {
  return new Promise((resolve) => (client as unknown as { once(e: string, h: (p: T) => void): void }).once(event, resolve));
}

async function localsOf(client: CDP.Client, frame: Protocol.Debugger.CallFrame): Promise<Record<string, unknown>> {
  const local = frame.scopeChain.find((s) => s.type === "local");
  expect(local, JSON.stringify(frame.scopeChain.map((s) => s.type))).toBeDefined();
  const { result } = await client.Runtime.getProperties({ objectId: local!.object.objectId!, ownProperties: true });
  return Object.fromEntries(result.map((p) => [p.name, p.value?.value ?? p.value?.description]));
}

describe("interlace debug --inspect: worker threads (examples/bank)", () => {
  let found: ReturnType<typeof counterexampleOf>;
  beforeAll(() => {
    found = counterexampleOf(BANK, "bank");
  });

  it("serves the targets, attaches at the racy step, reads a local, steps with resume, refuses schedule changes; the replay still reproduces 10/10", async () => {
    const session = new DebugChild([BANK, found.file]);
    const port = await session.port();
    expect(await session.command("goto 2")).toMatch(/── step 2 of \d+\n.*t1 +stopped at statement {2}examples\/bank\/account\.ts:9:16/);

    // The endpoint: targets, version, loopback Host headers only (HTTP and WebSocket).
    const targets = await CDP.List({ host: "127.0.0.1", port });
    expect(targets.map((t) => t.title)).toEqual([
      "interlace t1: stopped at statement examples/bank/account.ts:9:16 (step 2)",
      "interlace t2: at start (step 2)",
    ]);
    for (const target of targets) {
      expect(target.type).toBe("node");
      expect(target.webSocketDebuggerUrl).toBe(`ws://127.0.0.1:${port}/${target.id}`);
    }
    const version = await get(port, "/json/version", `127.0.0.1:${port}`);
    expect(JSON.parse(version.body)).toMatchObject({ "Protocol-Version": "1.1" });
    expect((await get(port, "/json", `localhost:${port}`)).status).toBe(200);
    expect((await get(port, "/json/list", `evil.example:${port}`)).status).toBe(403);
    const t1 = targets[0]!;
    expect(await upgrade(port, `/${t1.id}`, `rebind.example:${port}`)).toBe(403);

    const client = await CDP({ host: "127.0.0.1", port, target: t1.webSocketDebuggerUrl, local: true });
    try {
      const scripts = new Map<string, string>();
      client.Debugger.on("scriptParsed", (p) => {
        scripts.set(p.scriptId, p.url);
      });
      const paused = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      expect(await client.Runtime.runIfWaitingForDebugger()).toEqual({});
      await client.Runtime.enable();
      await client.Debugger.enable({});
      const pause = await paused;
      const top = pause.callFrames[0]!;
      expect(top.functionName).toBe("transfer");
      expect(scripts.get(top.location.scriptId)).toMatch(/examples\/bank\/account\.ts$/);
      expect(pause.hitBreakpoints).toEqual([]);
      expect(pause.reason).toBe("other");

      // Reads: a local from the scope, an evaluation; a write is refused by V8's side-effect check.
      expect(await localsOf(client, top)).toMatchObject({ current: 100, amount: 50 });
      const read = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: "shared.balance[0]" });
      expect(read.result.value).toBe(100);
      const write = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: "shared.balance[0] = 0" });
      expect(write.exceptionDetails?.exception?.description).toMatch(/^EvalError: Possible side-effect in debug-evaluate/);
      const source = await client.Debugger.getScriptSource({ scriptId: top.location.scriptId });
      expect(source.scriptSource).toContain("function transfer(");

      // Refused: whatever would change the schedule, with the documented message.
      await expect(client.Debugger.setBreakpointByUrl({ lineNumber: 9, url: scripts.get(top.location.scriptId)! })).rejects.toThrow(SCHEDULE_REFUSAL);
      await expect(client.Debugger.pause()).rejects.toThrow(SCHEDULE_REFUSAL);
      await expect(client.Debugger.setVariableValue({ scopeNumber: 0, variableName: "current", newValue: { value: 0 }, callFrameId: top.callFrameId })).rejects.toThrow(SCHEDULE_REFUSAL);
      expect(REFUSED_METHODS).toContain("Debugger.setBreakpointByUrl");

      // The client's resume is one step of t1: the prompt shows step 3, the client the new pause.
      const resumed = nextEvent(client, "Debugger.resumed");
      const next = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      expect(await client.Debugger.resume({})).toEqual({});
      await resumed;
      const after = await next;
      expect(after.callFrames[0]!.location.columnNumber).toBeGreaterThan(top.location.columnNumber!);
      const show = await session.command("show");
      expect(show).toMatch(/── step 3 of \d+\n.*t1 +stopped at marker write_balance {2}examples\/bank\/account\.ts:10:3/);
      expect(show).toMatch(/^ {4}3 {2}t1 {6}examples\/bank\/account\.ts:9:16/m);
      expect(await localsOf(client, after.callFrames[0]!)).toMatchObject({ current: 100, next: 150 });

      // The prompt's own moves reach the client as resumed/paused: `back` replays to step 2.
      const resumedAgain = nextEvent(client, "Debugger.resumed");
      const pausedAgain = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      expect(await session.command("back")).toContain("── step 2 of");
      await resumedAgain;
      expect(await localsOf(client, (await pausedAgain).callFrames[0]!)).toMatchObject({ current: 100 });
    } finally {
      await client.close();
    }
    session.child.stdin.end("quit\n");
    expect(await session.exited).toBe(0);
    expect(session.stderr).toContain("DevTools client: t1 takes one step");

    const replayed = interlace(["replay", BANK, found.file, "--times", "10"]);
    expect(replayed.code, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain("Reproduced 10/10 times");
  });

});

describe("interlace debug --inspect: task threads (examples/async-counter)", () => {
  it("shows a parked task at its gate with its frame's variables, steps it with resume, follows the task the prompt looks at", async () => {
    const session = new DebugChild([COUNTER]);
    const port = await session.port();
    // The lost update by hand: each task reads the counter (0) and stops at its write marker.
    await session.command("run task1");
    await session.command("run task1");
    await session.command("run task2");
    expect(await session.command("run task2")).toMatch(/task2 +stopped at marker write_value/);
    const targets = await CDP.List({ host: "127.0.0.1", port });
    expect(targets.map((t) => t.title)).toEqual([
      "interlace task1: stopped at marker write_value examples/async-counter/counter.ts:17:5 (step 6)",
      "interlace task2: stopped at marker write_value examples/async-counter/counter.ts:17:5 (step 6)",
    ]);
    const client = await CDP({ host: "127.0.0.1", port, target: targets[0]!.webSocketDebuggerUrl, local: true });
    try {
      const scripts: { scriptId: string; url: string }[] = [];
      client.on("Debugger.scriptParsed", (script) => scripts.push({ scriptId: script.scriptId, url: script.url }));
      const paused = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      await client.Debugger.enable({});
      const top = (await paused).callFrames[0]!;
      // The task's frame: increment(), its variable v (what it read) in its local scope, at the marker's line.
      expect(top.functionName).toBe("increment");
      expect(top.scopeChain.map((s) => s.type)).toEqual(["local", "block", "module", "global"]);
      expect(await localsOf(client, top)).toMatchObject({ v: 0 });
      const script = scripts.find((s) => s.scriptId === top.location.scriptId);
      expect(script?.url).toMatch(/examples\/async-counter\/counter\.ts$/);
      const read = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: "[v, this.value]", returnByValue: true });
      expect(read.result.value).toEqual([0, 0]);
      const write = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: "this.value = 7" });
      expect(write.exceptionDetails?.exception?.description).toMatch(/Possible side-effect in debug-evaluate/);
      await expect(client.send("Debugger.setBreakpointByUrl", { lineNumber: 16, url: script!.url })).rejects.toThrow(SCHEDULE_REFUSAL);
      // The prompt reads the other task's frame: the isolate now shows task2, and task1's client sees it resumed.
      const resumed = nextEvent(client, "Debugger.resumed");
      expect(await session.command("print task2 v")).toBe("task2: v = 0\n");
      await resumed;
      // A resume is task1's step: its write of 1 (v + 1), then the client sees it parked after that await.
      const pausedAgain = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      expect(await client.Debugger.resume({})).toEqual({});
      await pausedAgain;
      await session.until(() => session.stderr.includes("DevTools client: task1 takes one step"), "the client's step");
      expect(await session.command("show")).toMatch(/\[write_value\] await this\.set\(v \+ 1\);  \[write Counter\.value = 1\]/);
    } finally {
      await client.close();
    }
    // task2 writes what it read plus one over task1's write: the invariant fails.
    const file = join(tmp, "by-hand-tasks.json");
    session.child.stdin.end(`run task1\nrun task2\ninvariant\nsave ${file}\nquit\n`);
    expect(await session.exited, session.stdout).toBe(1);
    expect(session.stdout).toContain("✗ invariant violated");
    const replayed = interlace(["replay", COUNTER, file, "--times", "10"]);
    expect(replayed.code, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain("Reproduced 10/10 times");
  });
});

describe("interlace debug --inspect: process threads (examples/bank-sqlite)", () => {
  it("attaches to a child process thread at its write, reads its locals, steps it with resume", async () => {
    const { file, counterexample } = counterexampleOf(SQLITE, "sqlite");
    // p1 runs first, up to its write marker, then p2 takes its first step.
    const at = counterexample.decisions.indexOf("p2") - 1;
    const session = new DebugChild([SQLITE, file]);
    const port = await session.port();
    expect(await session.command(`goto ${at}`)).toMatch(/p1 +stopped at marker write_balance {2}examples\/bank-sqlite\/account\.ts:15:5/);
    const targets = await CDP.List({ host: "127.0.0.1", port });
    const p1 = targets.find((t) => t.title.startsWith("interlace p1: stopped at marker write_balance examples/bank-sqlite/account.ts:15:5"));
    expect(p1, JSON.stringify(targets.map((t) => t.title))).toBeDefined();
    const client = await CDP({ host: "127.0.0.1", port, target: p1!.webSocketDebuggerUrl, local: true });
    try {
      const paused = nextEvent<Protocol.Debugger.PausedEvent>(client, "Debugger.paused");
      await client.Debugger.enable({});
      const top = (await paused).callFrames[0]!;
      expect(await localsOf(client, top)).toMatchObject({ amount: 50, db: "Database" });
      // row and next live in a block scope: the frame evaluates them.
      const balance = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: "[row.balance, next]", returnByValue: true });
      expect(balance.result.value).toEqual([100, 150]);
      const resumed = nextEvent(client, "Debugger.resumed");
      expect(await client.Debugger.resume({})).toEqual({});
      await resumed;
      expect(await session.command("show")).toContain(`── step ${at + 1} of`);
    } finally {
      await client.close();
    }
    session.child.stdin.end("quit\n");
    expect(await session.exited).toBe(0);
  });
});
