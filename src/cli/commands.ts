/** `interlace explore` and `interlace replay`: load the scenario, explore or replay, report, exit code. */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";
import type { Counterexample } from "../engine/counterexample.js";
import { explore, replay, type ExploreOptions } from "../explore/explore.js";
import { defineScenario, isScenario, type Scenario } from "../scenario.js";
import {
  exploreExitCode,
  exploreToJSON,
  exploreToText,
  replayExitCode,
  replayToJSON,
  replayToText,
} from "../report/explore-report.js";
import { installInstrumentation } from "../tasks/install.js";
import type { ExploreCommand, ReplayCommand } from "./args.js";
import { loadScenario, readCounterexample } from "./load-scenario.js";
import { ExploreProgressDisplay } from "./progress.js";
import { SignalStop } from "./signals.js";

export { debugCommand } from "../debug/command.js";

/** Runs `interlace explore`; resolves with the exit code (0 holds, 1 counterexample). */
export async function exploreCommand(command: ExploreCommand): Promise<number> {
  if (command.save !== undefined) checkSaveTarget(command.save);
  const { scenario, options } = await loadExploreOptions(command);
  const progress = new ExploreProgressDisplay(process.stderr);
  let budget: number | undefined;
  // Ctrl-C / SIGTERM: explore stops after the run in progress; the partial result is printed below.
  const signals = new SignalStop();
  const result = await stdoutToStderr(command.json, async () => {
    try {
      return await explore(scenario, {
        signal: signals.signal,
        ...(command.timeBudget === undefined ? {} : { timeBudget: command.timeBudget }),
        ...options,
        ...(command.strategy === undefined ? {} : { strategy: command.strategy }),
        ...(command.seed === undefined ? {} : { seed: command.seed }),
        ...(command.maxAttempts === undefined ? {} : { maxAttempts: command.maxAttempts }),
        ...(command.maxExecutions === undefined ? {} : { maxExecutions: command.maxExecutions }),
        ...(command.preemptionBound === undefined ? {} : { preemptionBound: command.preemptionBound }),
        ...(command.searchOrder === undefined ? {} : { searchOrder: command.searchOrder }),
        ...(command.maxSteps === undefined ? {} : { maxSteps: command.maxSteps }),
        ...(command.granularity === undefined ? {} : { granularity: command.granularity }),
        ...(command.shrinkBudget === undefined ? {} : { shrinkBudget: command.shrinkBudget }),
        ...(command.reproduce === undefined ? {} : { reproduceOnFailure: command.reproduce }),
        ...(command.report === undefined ? {} : { report: { file: command.report, ...(command.save === undefined ? {} : { counterexampleFile: command.save }) } }),
        onAttempt: (p) => {
          budget = p.maxAttempts;
          progress.update(p);
        },
      });
    } finally {
      progress.finish();
      signals.dispose();
    }
  });
  if (command.report !== undefined) process.stderr.write(`interlace: wrote the report to ${command.report}\n`);
  let savedTo: string | null = null;
  if (result.counterexample !== null && command.save !== undefined) {
    savedTo = save(command.save, result.counterexample);
  }
  const context = { scenario: command.scenario, savedTo, budget };
  const code = signals.exitCode(exploreExitCode(result));
  return print(command.json ? JSON.stringify({ ...exploreToJSON(result, context), exitCode: code }) : exploreToText(result, context), code);
}

/** Runs `interlace replay`; resolves with the exit code (1 when the failure reproduces, 0 when not). */
export async function replayCommand(command: ReplayCommand): Promise<number> {
  const counterexample = readCounterexample(command.counterexample);
  // Trace what was traced when it was recorded: the printed replay hint reproduces it as is.
  const recorded = counterexample.config?.tracePackages ?? [];
  if (command.tracePackages.length === 0 && recorded.length > 0) {
    command = { ...command, tracePackages: recorded };
    process.stderr.write(`interlace: tracing ${recorded.join(", ")} as when the counterexample was recorded\n`);
  }
  const { scenario, options } = await loadExploreOptions(command);
  // Recorded as given on the command line, relative to where it ran: compare the tails.
  if (!sameScenarioPath(counterexample.scenario, command.scenario)) {
    process.stderr.write(`interlace: warning: ${command.counterexample} was recorded for scenario ${counterexample.scenario}, replaying it on ${command.scenario}\n`);
  }
  const signals = new SignalStop();
  const outcome = await stdoutToStderr(command.json, () => replay(scenario, counterexample, command.times, {
      ...options,
      signal: signals.signal,
      ...(command.report === undefined ? {} : { report: { file: command.report, counterexampleFile: command.counterexample } }),
    })).finally(() =>
    signals.dispose(),
  );
  if (command.report !== undefined) process.stderr.write(`interlace: wrote the report to ${command.report}\n`);
  const text = command.json
    ? JSON.stringify(replayToJSON(outcome, counterexample, command.scenario, command.counterexample))
    : replayToText(outcome, counterexample);
  return print(text, signals.exitCode(replayExitCode(outcome)));
}

/** Writes `text` and a newline on stdout; returns `code`. */
export function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

type ScenarioOptions = Omit<ExploreOptions<unknown>, "threads" | "setup" | "invariant" | "teardown">;

/** Loads the scenario as `interlace run` does (instrumentation first), with the options every command shares. */
async function loadExploreOptions(command: ExploreCommand | ReplayCommand): Promise<{ scenario: Scenario<unknown>; options: ScenarioOptions }> {
  // Task threads run in this process: instrument the scenario and the user modules it imports.
  installInstrumentation({ tracePackages: command.tracePackages });
  const loaded = await loadScenario(command.scenario);
  const scenario = isScenario(loaded) ? (loaded as Scenario<unknown>) : defineScenario(loaded);
  const options: ScenarioOptions = { name: command.scenario, tracePackages: command.tracePackages };
  if (command.timeout !== undefined) options.timeout = command.timeout;
  return { scenario, options };
}


/** Rejects a `--save` path that cannot be written before spending time exploring. */
function checkSaveTarget(path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--save ${path}: the folder ${dir} does not exist.`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--save ${path} is a folder; give a file path.`);
}

/** Writes the counterexample; on failure warns and returns null (the outcome still stands). */
function save(path: string, counterexample: Counterexample): string | null {
  try {
    writeFileSync(path, `${JSON.stringify(counterexample, null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`interlace: warning: could not save the counterexample to ${path}: ${(error as Error).message}\n`);
    return null;
  }
  process.stderr.write(`interlace: saved the counterexample to ${path}\n`);
  return path;
}

/**
 * With `--json`, stdout carries only the report: while `fn` runs, whatever the task threads (which
 * run in this process) write on stdout goes to stderr.
 */
async function stdoutToStderr<T>(active: boolean, fn: () => Promise<T>): Promise<T> {
  if (!active) return fn();
  const stdout = process.stdout;
  const own = Object.prototype.hasOwnProperty.call(stdout, "write");
  const write = stdout.write;
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  try {
    return await fn();
  } finally {
    if (own) stdout.write = write;
    else delete (stdout as { write?: unknown }).write;
  }
}

/** Whether a scenario path recorded elsewhere (relative to another folder) names the scenario file given now. */
function sameScenarioPath(recorded: string, given: string): boolean {
  const a = resolve(given).split(sep).join("/");
  const b = recorded.split(sep).join("/").replace(/^(\.\/)+/, "");
  return a === b || a.endsWith(`/${b.replace(/^(\.\.\/)+/, "")}`);
}
