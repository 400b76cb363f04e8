/**
 * `interlace debug <scenario> [counterexample.json] [--at <n>]`: loads the scenario (instrumenting
 * task code as `interlace run` does), checks the counterexample against it as `replay` does, opens
 * a {@link DebugSession} on the driver of its thread kind and hands it to the REPL.
 *
 * @module
 */
import { ScenarioError } from "../errors.js";
import type { Counterexample } from "../engine/counterexample.js";
import { DEFAULTS } from "../explore/options.js";
import { loadScenario, readCounterexample } from "../cli/load-scenario.js";
import { threadsKind } from "../scenario.js";
import { installInstrumentation } from "../tasks/install.js";
import { checkSources } from "../tasks/source-hash.js";
import type { RunDriver } from "./driver.js";
import { startInspectEndpoint, type InspectEndpoint } from "./inspect/server.js";
import { isolateDriver } from "./isolate-driver.js";
import { runRepl } from "./repl.js";
import { DebugSession } from "./session.js";
import { remoteTaskDriver } from "./task-host/remote-driver.js";

/** Parsed `debug` command. */
export interface DebugCommand {
  command: "debug";
  scenario: string;
  counterexample: string | undefined;
  /** `--at <n>`: start after n decisions of the counterexample. */
  at: number | undefined;
  /** `--max-steps`: decisions per thread and run (default 1000, or the counterexample's). */
  maxSteps: number | undefined;
  /** `--markers`: worker/process threads stop at markers only (default: every statement; a counterexample says which). */
  markers: boolean;
  /** `--inspect`: serve a CDP endpoint for DevTools / VS Code beside the prompt (one target per thread). */
  inspect: boolean;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

/** Runs `interlace debug`; resolves with the session's exit code. */
export async function debugCommand(command: DebugCommand): Promise<number> {
  const counterexample = command.counterexample === undefined ? null : readCounterexample(command.counterexample);
  const tracePackages = command.tracePackages.length > 0 ? command.tracePackages : (counterexample?.config?.tracePackages ?? []);
  installInstrumentation({ tracePackages });
  const scenario = await loadScenario(command.scenario);
  const kind = threadsKind(scenario.threads);
  const maxSteps = command.maxSteps ?? counterexample?.config?.maxSteps ?? DEFAULTS.maxSteps;
  const timeoutMs = command.timeout ?? DEFAULTS.timeout;
  const granularity = counterexample?.granularity ?? (command.markers ? "markers" : "statements");
  const driver: RunDriver =
    kind === "task"
      ? await remoteTaskDriver(command.scenario, { timeoutMs, maxSteps, tracePackages })
      : isolateDriver(scenario, { granularity, timeoutMs, maxSteps, tracePackages });
  if (counterexample !== null) {
    try {
      check(counterexample, driver);
    } catch (error) {
      await driver.close();
      throw error;
    }
  }
  const session = await DebugSession.open(driver, { scenario: command.scenario, counterexample, tracePackages, maxSteps }, command.at ?? 0);
  let endpoint: InspectEndpoint | null = null;
  if (command.inspect) {
    try {
      endpoint = await startInspectEndpoint(session, { scenario: command.scenario, log: (line) => process.stderr.write(`${line}\n`) });
    } catch (error) {
      await session.quit();
      throw error;
    }
    const { port } = endpoint;
    process.stderr.write(`interlace: DevTools endpoint http://127.0.0.1:${port} (chrome://inspect → Configure… → 127.0.0.1:${port}; VS Code: an "attach" configuration with "port": ${port})\n`);
  }
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const closing = async () => {
    await endpoint?.close();
  };
  try {
    return await runRepl(session, { input: process.stdin, output: process.stdout, tty, closing });
  } finally {
    await closing();
  }
}

function check(counterexample: Counterexample, driver: RunDriver): void {
  if (driver.names.join(",") !== counterexample.threads.join(",")) {
    throw new ScenarioError(`The counterexample was recorded for threads [${counterexample.threads.join(", ")}], but these are [${driver.names.join(", ")}].`);
  }
  if (driver.kind !== counterexample.kind) {
    throw new ScenarioError(`The counterexample was recorded for ${counterexample.kind} threads, but these are ${driver.kind} threads.`);
  }
  checkSources(counterexample, driver.root());
}

