/**
 * The task host: the worker isolate task threads run in under `interlace debug`, so that the
 * controller's debugger can stop it (the controller's own isolate must never be paused). It loads
 * the scenario with the task instrumentation (gates passing their frame's closure, `peek`), runs
 * each walk with the in-isolate task driver (`../task-driver.ts`) and answers the session's
 * requests (`protocol.ts`) on its parent port.
 *
 * `peek`: while a decision is held every task is parked and nothing runs here; calling the closure
 * of a task's frame stops at its `debugger` statement, where the controller reads the frame with
 * `Debugger.evaluateOnCallFrame` and resumes it.
 *
 * @module
 */
import { inspect } from "node:util";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { loadScenario } from "../../cli/load-scenario.js";
import { InterlaceError } from "../../errors.js";
import { registerTsx } from "../../runtime/tsx-register.mjs";
import { installInstrumentation } from "../../tasks/install.js";
import { taskDriver, type LocalTaskDriver } from "../task-driver.js";
import type { HostAnswer, HostData, HostError, HostReady, HostRequest, MoveView } from "./protocol.js";

const port = parentPort!;
const data = workerData as HostData & { compiler: MessagePort };

/** Where the last view of the run ended (steps sent so far). */
let sent = 0;

function errorOf(error: unknown): HostError {
  if (error instanceof InterlaceError) return { name: error.name, message: error.message, code: error.code, category: error.category };
  if (error instanceof Error) return { name: error.name, message: error.stack ?? error.message };
  return { name: "Error", message: String(error) };
}

function view(driver: LocalTaskDriver, position: "held" | "ended"): MoveView {
  const steps = driver.steps();
  const newSteps = steps.slice(sent);
  sent = steps.length;
  return { position, runnable: driver.runnable() === null ? null : [...driver.runnable()!], newSteps, threads: driver.threads(), verdict: driver.verdict() };
}

async function answer(driver: LocalTaskDriver, request: HostRequest): Promise<unknown> {
  switch (request.op) {
    case "start":
      sent = 0;
      return view(driver, await driver.start(request.prefix));
    case "take":
      return view(driver, await driver.take(request.thread));
    case "peek": {
      const peek = driver.peek(request.thread);
      if (peek === undefined) return false;
      peek(); // Stops here under the controller's debugger until it resumes.
      return true;
    }
    case "evaluate":
      return driver.evaluate(request.thread, request.expression);
    case "state":
      return inspect(driver.state(), { depth: 4, breakLength: 120 });
    case "invariant":
      return driver.invariant();
    case "close":
      await driver.close();
      return null;
  }
}

async function main(): Promise<void> {
  let driver: LocalTaskDriver;
  try {
    // tsx's hooks registered here, not tsImport: its namespace query would be in every script URL a debugger sees.
    await registerTsx(data.compiler);
    // After tsx's hooks: the task transform then receives tsx's JavaScript (as in `interlace run`).
    installInstrumentation({ tracePackages: data.tracePackages, peek: true });
    const scenario = await loadScenario(data.scenario, true);
    driver = taskDriver(scenario, { timeoutMs: data.timeoutMs, maxSteps: data.maxSteps });
    port.postMessage({ type: "ready", names: [...driver.names], root: driver.root() } satisfies HostReady);
  } catch (error) {
    port.postMessage({ type: "failed", error: errorOf(error) } satisfies HostReady);
    return;
  }
  // One request at a time, in order (the session sends one at a time anyway).
  let queue = Promise.resolve();
  port.on("message", (request: HostRequest) => {
    queue = queue.then(async () => {
      let reply: HostAnswer;
      try {
        reply = { id: request.id, ok: true, value: await answer(driver, request) };
      } catch (error) {
        reply = { id: request.id, ok: false, error: errorOf(error) };
      }
      port.postMessage(reply);
      if (request.op === "close") port.close();
    });
  });
}

await main();
