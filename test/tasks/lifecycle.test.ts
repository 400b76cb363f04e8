// How a task run ends (issue 15): process.exit() in a task is refused and reported, tasks left
// parked by a failed attempt are cancelled so their finally blocks run (and a host process exits),
// and the threads' results reach the invariant. Runs in the "tasks" project.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InterlaceError, Schedule, TaskCancelledError, TraceExecutor, defineScenario, explore, point, thread } from "interlace";
import { Pool, scenario } from "../../fixtures/tasks/parked-resource.js";
import { rejection } from "../helpers/fixtures.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function node(args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Builds dist/ once: the CLI and a host process load interlace from it. */
let built = false;
function build(): void {
  if (built) return;
  const result = node(["scripts/build.mjs"]);
  expect(result.status, result.stderr).toBe(0);
  built = true;
}

describe("process.exit() in a task thread", () => {
  // The line of the `process.exit(3)` call below.
  const exitLine = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").findIndex((l) => l.trim() === "process.exit(3);") + 1;

  it("fails the run with E_TASK_EXITED naming the thread, the code and the call's position; the process lives on", async () => {
    const original = process.exit;
    let after = false;
    const error = await rejection(
      explore({
        setup: () => ({}),
        threads: {
          fine: async () => {},
          quitter: async () => {
            await Promise.resolve();
            process.exit(3);
            after = true;
          },
        },
        maxAttempts: 3,
      }),
      InterlaceError,
    );
    expect(error.code).toBe("E_TASK_EXITED");
    expect(error.category).toBe("fault");
    expect(error.message).toContain('Thread "quitter" called process.exit(3)');
    expect(error.message).toContain(`test/tasks/lifecycle.test.ts:${exitLine}:`);
    expect(error.message).toContain("share interlace's process");
    expect(error.message).toContain("worker or process thread");
    expect(after).toBe(false);
    expect(process.exit).toBe(original);
  });

  it("fails the run even when the task catches the throw, and shows process.exitCode when exit() has no code", async () => {
    const error = await rejection(
      new TraceExecutor(new Schedule([])).run({
        sly: async () => {
          try {
            process.exit();
          } catch {
            // swallowed: the run fails all the same
          }
          await point("later");
        },
      }),
      InterlaceError,
    );
    expect(error.code).toBe("E_TASK_EXITED");
    expect(error.message).toContain('Thread "sly" called process.exit(0)');
  });

  it("the CLI reports it as a fault: exit 3 with a JSON error object", () => {
    build();
    const run = node(["bin/interlace.js", "explore", "fixtures/tasks/exit-scenario.ts", "--json"]);
    expect(run.status, run.stderr).toBe(3);
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { error: { code: string; category: string; message: string } };
    expect(report.error.code).toBe("E_TASK_EXITED");
    expect(report.error.category).toBe("fault");
    expect(report.error.message).toContain('Thread "quitter" called process.exit(7) at ');
    expect(report.error.message).toContain("exit-scenario.ts:15:");
  });
});

describe("tasks left parked when an attempt ends", () => {
  it("are cancelled: the finally of a task parked holding a resource runs before teardown", async () => {
    const pool = new Pool();
    const held: number[] = [];
    const result = await explore({ ...scenario(pool, held), strategy: "random", seed: 1, maxAttempts: 100, reproduceOnFailure: 2 });
    expect(result.propertyHolds).toBe(false);
    expect(result.counterexample?.failure.kind).toBe("exception");
    // The crasher throws only while the holder, parked inside its try, holds the pool.
    expect(pool.taken).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(pool.released).toBe(pool.taken);
    expect(held.every((n) => n === 0), `held at teardown: ${held.join(", ")}`).toBe(true);
  });

  it("see a typed cancellation error in their catch, and a loop that swallows it stops", async () => {
    const seen: unknown[] = [];
    let spins = 0;
    const error = await rejection(
      new TraceExecutor("stubborn:first crasher:go").run({
        stubborn: async () => {
          await point("first");
          for (;;) {
            try {
              await point("again");
            } catch (e) {
              if (seen.length === 0) seen.push(e);
              if (++spins > 10_000) return;
            }
          }
        },
        crasher: async () => {
          await point("go");
          throw new Error("boom");
        },
      }),
      InterlaceError,
    );
    expect(error.code).toBe("E_THREAD_THREW");
    expect(seen[0]).toBeInstanceOf(TaskCancelledError);
    expect((seen[0] as TaskCancelledError).code).toBe("E_TASK_CANCELLED");
    expect((seen[0] as Error).message).toContain("interlace ended the attempt");
    expect(spins).toBeLessThanOrEqual(101);
  });

  it("a host process exits by itself after explore() returned with a failure", () => {
    build();
    const run = node(["--import", "tsx", "--import", "interlace/register", "fixtures/tasks/parked-resource.ts", "host"]);
    expect(run.signal, "the host process did not exit by itself").toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { propertyHolds: boolean; taken: number; released: number; held: number[] };
    expect(out.propertyHolds).toBe(false);
    expect(out.taken).toBeGreaterThan(0);
    expect(out.released).toBe(out.taken);
  });
});

describe("the invariant gets the threads' results", () => {
  it("explore(): invariant(state, results) by thread name", async () => {
    const calls: Array<Readonly<Record<string, unknown>>> = [];
    const result = await explore({
      setup: () => ({ n: 0 }),
      threads: {
        a: async (s) => {
          await point("x");
          return ++s.n;
        },
        b: async (s) => ++s.n,
        none: async () => {},
      },
      invariant: (_s, results) => {
        calls.push(results);
        return [results["a"], results["b"]].sort().join() === "1,2";
      },
      maxAttempts: 10,
    });
    expect(result.propertyHolds).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
    expect(Object.keys(calls[0]!).sort()).toEqual(["a", "b", "none"]);
    expect(calls[0]!["none"]).toBeUndefined();
  });

  it("a scenario of task threads, explored and run under a schedule", async () => {
    const seen: unknown[] = [];
    const s = defineScenario({
      setup: () => ({ v: 0 }),
      threads: {
        t1: thread.task(async () => {
          await point("x");
          return "one";
        }),
        t2: thread.task(async () => 2),
      },
      invariant: (_state, results) => {
        seen.push({ ...results });
        return results["t1"] === "one" && results["t2"] === 2;
      },
    });
    expect((await explore(s, { maxAttempts: 2 })).propertyHolds).toBe(true);
    expect((await new TraceExecutor(new Schedule([])).run(s)).invariantHolds).toBe(true);
    expect(seen.at(-1)).toEqual({ t1: "one", t2: 2 });
  });
});

describe("cancellation and unhandled rejections", () => {
  it("a cancelled strand nobody awaits does not surface as an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    let strandCancelled = false;
    try {
      const error = await rejection(
        new TraceExecutor("stray:outer crasher:go").run({
          stray: async () => {
            // Fire and forget: nothing awaits this strand when the attempt ends.
            void (async () => {
              try {
                await point("inner");
              } catch (e) {
                strandCancelled = e instanceof TaskCancelledError;
                throw e;
              }
            })();
            await point("outer");
          },
          crasher: async () => {
            await point("go");
            throw new Error("boom");
          },
        }),
        InterlaceError,
      );
      expect(error.code).toBe("E_THREAD_THREW");
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", listener);
    }
    expect(strandCancelled).toBe(true);
    expect(unhandled.filter((r) => r instanceof TaskCancelledError)).toEqual([]);
  });
});
