/**
 * `interlace debug` as users run it: bin/interlace.js over the built dist/, in a child process.
 * Scripted sessions (commands on stdin, no terminal) walk counterexamples that `explore --save`
 * found, for worker (examples/bank), process (examples/bank-sqlite) and task threads
 * (examples/async-counter); hand-made interleavings are saved and replayed; bad commands give typed
 * errors; one session runs in a real terminal (tmux); SIGINT leaves nothing running.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Counterexample } from "../../src/engine/counterexample.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BANK = "examples/bank/scenario.ts";
const SQLITE = "examples/bank-sqlite/scenario.ts";
const COUNTER = "examples/async-counter/scenario.ts";
const tmp = mkdtempSync(join(tmpdir(), "interlace-debug-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function interlace(args: readonly string[], input?: string): Outcome {
  const result = spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 60_000, ...(input === undefined ? {} : { input }) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scripted session: one command a line on stdin. */
function debug(args: readonly string[], commands: readonly string[]): Outcome {
  return interlace(["debug", ...args], `${commands.join("\n")}\n`);
}

/** What the session printed after the echo of `command` (its `n`-th occurrence), up to the next prompt. */
function answer(stdout: string, command: string, n = 1): string {
  const parts = stdout.split(/^\(interlace\) /m);
  const matching = parts.filter((p) => p.split("\n")[0] === command);
  const part = matching[n - 1];
  if (part === undefined) throw new Error(`no answer to "${command}" #${n} in:\n${stdout}`);
  return part.slice(command.length + 1);
}

/** Explores `scenario`, saves its counterexample, returns its path and the explanation printed. */
function counterexampleOf(scenario: string, name: string): { file: string; explanation: string; counterexample: Counterexample } {
  const file = join(tmp, `${name}.json`);
  const explored = interlace(["explore", scenario, "--seed", "1", "--reproduce", "1", "--save", file]);
  expect(explored.code, explored.stderr).toBe(1);
  return { file, explanation: explored.stdout, counterexample: JSON.parse(readFileSync(file, "utf8")) as Counterexample };
}

describe("interlace debug: worker threads (examples/bank)", () => {
  let found: ReturnType<typeof counterexampleOf>;
  beforeAll(() => {
    found = counterexampleOf(BANK, "bank");
  });

  it("walks the counterexample step by step, prints the values the explanation recorded, goes back and to a step", () => {
    const recorded = /^\s+2\s+t1\s.*\[read balance\[0\] = (\d+)\]/m.exec(found.explanation);
    expect(recorded, found.explanation).not.toBeNull();
    const n = found.counterexample.decisions.length;

    const session = debug([BANK, found.file], ["next", "next", "print t1 current", "print t1 shared.balance[0]", "where t1", "back", "goto 2", `goto ${n}`, "invariant", "state", "quit"]);

    expect(session.code, session.stdout + session.stderr).toBe(1);
    expect(session.stdout).toMatch(/^── step 0 of \d+\n→ t1 {5}at start\n• t2 {5}at start/m);
    const second = answer(session.stdout, "next", 2);
    expect(second).toContain("── step 2 of");
    expect(second).toMatch(/t1 +stopped at statement {2}examples\/bank\/account\.ts:9:16 {2}const next = current \+ amount;/);
    expect(second).toContain("[read balance[0] = 100]");
    expect(answer(session.stdout, "print t1 current")).toBe(`t1: current = ${recorded![1]}\n`);
    expect(answer(session.stdout, "print t1 shared.balance[0]")).toBe("t1: shared.balance[0] = 100\n");
    expect(answer(session.stdout, "where t1")).toMatch(/^ {2}#0 transfer {2}examples\/bank\/account\.ts:9:16 {2}const next = current \+ amount;\n {2}\(\+\d+ frames? outside traced code\)/);
    expect(answer(session.stdout, "back")).toMatch(/── step 1 of .*\n→ t1 +stopped at marker read_balance {2}examples\/bank\/account\.ts:8:3/);
    expect(answer(session.stdout, "goto 2")).toContain("── step 2 of");
    expect(answer(session.stdout, `goto ${n}`)).toContain(`── step ${n}  (every thread finished)`);
    expect(answer(session.stdout, "invariant")).toBe("✗ invariant violated (invariant returned false)\n");
    expect(answer(session.stdout, "state")).toContain("balance: Int32Array(1) [ 150 ]");
  });

  it("rejects bad commands with typed errors and goes on; the exit code of a script says so", () => {
    const n = found.counterexample.decisions.length;
    const session = debug([BANK, found.file], ["step t9", "sttep t1", "next", "next", "print t1 shared.balance[0] = 5", "print t1 Atomics.add(shared.balance, 0, 1)", "goto 99", `goto ${n - 1}`, "step t2", "invariant", "print t2 current", "next", "quit"]);

    expect(session.code).toBe(2);
    expect(answer(session.stdout, "step t9")).toBe('error E_UNKNOWN_THREAD: No thread "t9" in this scenario. Threads: t1, t2; runnable now: t1, t2.\n');
    expect(answer(session.stdout, "sttep t1")).toMatch(/^error E_USAGE: unknown command "sttep"; did you mean step\?/);
    expect(answer(session.stdout, "print t1 shared.balance[0] = 5")).toMatch(/^error E_DEBUG_SIDE_EFFECT: Refused: evaluating `shared\.balance\[0\] = 5` could have a side effect/);
    expect(answer(session.stdout, "print t1 Atomics.add(shared.balance, 0, 1)")).toContain("error E_DEBUG_SIDE_EFFECT");
    expect(answer(session.stdout, "goto 99")).toMatch(/^error E_DEBUG_STEP_RANGE: Step 99 is past the end: the interleaving \(recorded, then walked\) has \d+ decisions\./);
    // The last recorded step is t1's write: t2 has finished by then.
    expect(answer(session.stdout, "step t2")).toBe('error E_DEBUG_NOT_RUNNABLE: Thread "t2" cannot run now: it finished. Runnable: t1.\n');
    expect(answer(session.stdout, "invariant")).toMatch(/^error E_DEBUG_NOT_FINISHED: The invariant is checked once every thread finished; t1 has not\./);
    expect(answer(session.stdout, "print t2 current")).toMatch(/^error E_DEBUG_NOT_PAUSED: Thread "t2" is not stopped at a statement or marker: it finished\./);
    // The side effects were refused: the balance still ends at 150.
    expect(answer(session.stdout, "next")).toBeDefined();
    expect(answer(session.stdout, "next", 3)).toContain("every thread finished");
  });

  it("saves a hand-made interleaving that interlace replay reproduces (exit 1)", () => {
    const file = join(tmp, "bank-hand.json");
    const session = debug([BANK], ["step t1", "step t2", "step t1", "step t2", "print t2 current", "run t1", "run t2", "run t1", "run t2", "invariant", `save ${file}`]);

    expect(session.code, session.stdout).toBe(1);
    expect(answer(session.stdout, "print t2 current")).toBe("t2: current = 100\n");
    expect(answer(session.stdout, "run t1", 1)).toMatch(/t1 +stopped at marker write_balance {2}examples\/bank\/account\.ts:10:3/);
    expect(answer(session.stdout, "run t2", 2)).toContain("every thread finished");
    expect(answer(session.stdout, `save ${file}`)).toMatch(/^saved \d+ decisions to /);
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    expect(saved).toMatchObject({ format: "interlace-counterexample", kind: "isolate", granularity: "statements", strategy: "debug", failure: { kind: "invariant" } });
    const replayed = interlace(["replay", BANK, file]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
  });

  it("shows the paused threads and their source lines in a real terminal (tmux)", async () => {
    const socket = `interlace-debug-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
    const screen = () => tmux("capture-pane", "-p", "-t", "debug").stdout;
    const waitFor = async (what: RegExp): Promise<string> => {
      for (let i = 0; i < 300; i++) {
        const text = screen();
        if (what.test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the terminal never showed ${what}:\n${screen()}`);
    };
    try {
      expect(tmux("new-session", "-d", "-s", "debug", "-x", "200", "-y", "50", "-c", root, `${process.execPath} bin/interlace.js debug ${BANK} ${found.file}`).status).toBe(0);
      await waitFor(/^\(interlace\)\s*$/m);
      tmux("send-keys", "-t", "debug", "next", "Enter");
      await waitFor(/── step 1 of/);
      tmux("send-keys", "-t", "debug", "next", "Enter");
      const shown = await waitFor(/── step 2 of[\s\S]*\(interlace\)\s*$/m);
      expect(shown).toMatch(/→ t1 +stopped at statement {2}examples\/bank\/account\.ts:9:16 {2}const next = current \+ amount;/);
      expect(shown).toMatch(/• t2 +at start/);
      expect(shown).toContain("[read_balance] const current = shared.balance[0]!;");
      tmux("send-keys", "-t", "debug", "print t1 current", "Enter");
      await waitFor(/t1: current = 100/);
      tmux("send-keys", "-t", "debug", "quit", "Enter");
      // The session's only window closes when interlace exits.
      for (let i = 0; i < 100 && tmux("has-session", "-t", "debug").status === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(tmux("has-session", "-t", "debug").status).not.toBe(0);
    } finally {
      tmux("kill-server");
    }
  });
});

describe("interlace debug: process threads (examples/bank-sqlite)", () => {
  let found: ReturnType<typeof counterexampleOf>;
  beforeAll(() => {
    found = counterexampleOf(SQLITE, "sqlite");
  });

  it("walks the counterexample, prints a row each process read, goes back", () => {
    // p1 runs first, up to its write marker, then p2 takes its first step.
    const p2 = found.counterexample.decisions.indexOf("p2");
    const session = debug([SQLITE, found.file], [`goto ${p2 - 1}`, "print p1 row.balance", "print p1 next", "print p1 db.prepare('DELETE FROM accounts')", "back", "print p1 row", "quit"]);

    expect(session.code, session.stdout + session.stderr).toBe(2);
    expect(answer(session.stdout, `goto ${p2 - 1}`)).toMatch(/p1 +stopped at marker write_balance {2}examples\/bank-sqlite\/account\.ts:15:5/);
    expect(answer(session.stdout, "print p1 row.balance")).toBe("p1: row.balance = 100\n");
    expect(answer(session.stdout, "print p1 next")).toBe("p1: next = 150\n");
    expect(answer(session.stdout, "print p1 db.prepare('DELETE FROM accounts')")).toContain("error E_DEBUG_SIDE_EFFECT");
    expect(answer(session.stdout, "back")).toContain(`── step ${p2 - 2} of`);
    // One step back is the SELECT's own io gate (process threads run at io granularity): not read yet.
    expect(answer(session.stdout, "back")).toMatch(/p1 +stopped at statement {2}examples\/bank-sqlite\/account\.ts:12:\d+ .*\.get\(\)/);
    expect(answer(session.stdout, "print p1 row")).toBe("p1: row = undefined\n");
  });

  it("saves a hand-made lost update that interlace replay reproduces (exit 1)", () => {
    const file = join(tmp, "sqlite-hand.json");
    const session = debug([SQLITE], ["run p1", "run p2", "run p1", "run p2", "print p2 row.balance", "run p1", "run p2", "invariant", `save ${file}`, "quit"]);

    expect(session.code, session.stdout + session.stderr).toBe(1);
    expect(answer(session.stdout, "run p1")).toMatch(/p1 +stopped at marker read_balance {2}examples\/bank-sqlite\/account\.ts:12:/);
    expect(answer(session.stdout, "print p2 row.balance")).toBe("p2: row.balance = 100\n");
    expect(answer(session.stdout, "invariant")).toBe("✗ invariant violated (invariant threw Error: balance is 150, expected 200)\n");
    const replayed = interlace(["replay", SQLITE, file]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
  });

  it("leaves nothing running after SIGINT", async () => {
    const child = spawn(process.execPath, ["bin/interlace.js", "debug", SQLITE, found.file], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdin.write("next\n");
    for (let i = 0; i < 300 && !out.includes("── step 1"); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(child.pid)], { encoding: "utf8" }).stdout.trim().split(/\s+/).filter(Boolean);
    expect(children.length).toBeGreaterThanOrEqual(2);

    child.kill("SIGINT");

    expect(await exited).toBe(130);
    for (const pid of children) expect(() => process.kill(Number(pid), 0)).toThrow();
  });
});

describe("interlace debug: task threads (examples/async-counter)", () => {
  let found: ReturnType<typeof counterexampleOf>;
  beforeAll(() => {
    found = counterexampleOf(COUNTER, "counter");
  });

  it("walks the counterexample, prints the values the explanation recorded, goes back", () => {
    const reads = [...found.explanation.matchAll(/^\s+(\d+)\s+(task\d)\*?\s.*\[read Counter\.value = (\d+)\]/gm)];
    expect(reads.length, found.explanation).toBeGreaterThan(0);
    const [, step, task, value] = reads[0]!;
    const session = debug([COUNTER, found.file, "--at", step!], ["print " + task + " value", "print " + task + " state.value", `where ${task}`, "print task1 state.set(5)", "back", "next", "goto 10", "invariant", "quit"]);

    // The refused print counts as a failed command: a script with one exits 2.
    expect(session.code, session.stdout + session.stderr).toBe(2);
    expect(session.stdout).toContain(`── step ${step} of`);
    expect(answer(session.stdout, `print ${task} value`)).toBe(`${task}: value = ${value}\n`);
    expect(answer(session.stdout, `print ${task} state.value`)).toBe(`${task}: state.value = ${value}\n`);
    expect(answer(session.stdout, `where ${task}`)).toMatch(/is parked at (await|marker \w+): examples\/async-counter\/counter\.ts:\d+:\d+/);
    expect(answer(session.stdout, "print task1 state.set(5)")).toContain("error E_DEBUG_SIDE_EFFECT");
    expect(answer(session.stdout, "back")).toContain(`── step ${Number(step) - 1} of`);
    expect(answer(session.stdout, "goto 10")).toContain("every thread finished");
    expect(answer(session.stdout, "invariant")).toBe("✗ invariant violated (invariant returned false)\n");
  });

  it("prints a parked task's own variables from its frame in the task host, the state's names otherwise", () => {
    // Each task reads the counter and stops at its write marker: both hold v = 0, the lost update in the making.
    const session = debug([COUNTER], ["print task1 v", "run task1", "run task1", "run task2", "run task2", "print task1 v", "print task2 v", "print task1 this.value", "print task1 value", "print task2 v = 5", "run task1", "print task2 [v, this.value]"]);

    expect(session.code, session.stdout + session.stderr).toBe(2);
    // At its start a task has no frame yet: the name is looked up in the state, which has none.
    expect(answer(session.stdout, "print task1 v")).toBe("error E_DEBUG_EVAL: `v` threw ReferenceError: v is not defined\n");
    expect(answer(session.stdout, "print task1 v", 2)).toBe("task1: v = 0\n");
    expect(answer(session.stdout, "print task2 v")).toBe("task2: v = 0\n");
    expect(answer(session.stdout, "print task1 this.value")).toBe("task1: this.value = 0\n");
    expect(answer(session.stdout, "print task1 value")).toBe("task1: value = 0\n");
    expect(answer(session.stdout, "print task2 v = 5")).toContain("error E_DEBUG_SIDE_EFFECT");
    // task1 wrote 1; task2's frame still holds the 0 it read.
    expect(answer(session.stdout, "print task2 [v, this.value]")).toBe("task2: [v, this.value] = Array(2) [0, 1]\n");
  });

  it("leaves nothing running after SIGINT while the task host is stopped in a task's frame", async () => {
    const child = spawn(process.execPath, ["bin/interlace.js", "debug", COUNTER], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdin.write("run task1\nrun task1\nprint task1 v\n");
    for (let i = 0; i < 300 && !out.includes("task1: v = 0"); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out).toContain("task1: v = 0");
    const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(child.pid)], { encoding: "utf8" }).stdout.trim().split(/\s+/).filter(Boolean);

    child.kill("SIGINT");

    expect(await exited).toBe(130);
    for (const pid of children) expect(() => process.kill(Number(pid), 0)).toThrow();
  });

  it("saves a hand-made lost update that interlace replay reproduces (exit 1)", () => {
    const file = join(tmp, "counter-hand.json");
    // Without --at, nothing recorded: the user takes every decision.
    const session = debug([COUNTER], ["step task1", "step task2", "run task1", "run task2", "print task1 value", "run task1", "run task2", "invariant", `save ${file}`]);

    expect(session.code, session.stdout + session.stderr).toBe(1);
    expect(answer(session.stdout, "step task1")).toMatch(/task1 +stopped at marker read_value {2}examples\/async-counter\/counter\.ts:15:5 {2}const v = await this\.get\(\);/);
    expect(answer(session.stdout, "invariant")).toBe("✗ invariant violated (invariant returned false)\n");
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    expect(saved).toMatchObject({ kind: "task", strategy: "debug", threads: ["task1", "task2"] });
    const replayed = interlace(["replay", COUNTER, file]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
  });
});
