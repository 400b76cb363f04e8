/** `interlace` command-line entry: parse, run, report, exit with the outcome's code. */
import { readFileSync } from "node:fs";
import { InterlaceError, InspectorError } from "../errors.js";
import { EXIT, errorToJSON, errorToText, exitCodeOf, resultToJSON, resultToText } from "../report/run-report.js";
import { TraceExecutor } from "../trace-executor.js";
import { USAGE, parseCommand, type RunCommand } from "./args.js";
import { loadScenario, loadSchedule } from "./load-scenario.js";
import { installInstrumentation } from "../tasks/install.js";

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes("--json");
  try {
    const command = parseCommand(argv);
    if (command.command === "help") return print(USAGE, EXIT.holds);
    if (command.command === "version") return print(version(), EXIT.holds);
    json = command.json;
    return await runCommand(command);
  } catch (caught) {
    const error = caught instanceof InterlaceError ? caught : new InspectorError(`internal error: ${String((caught as Error)?.stack ?? caught)}`);
    if (json) return print(JSON.stringify(errorToJSON(argv[1] ?? "", null, error)), exitCodeOf(error));
    process.stderr.write(`${errorToText(error)}\n`);
    return exitCodeOf(error);
  }
}

async function runCommand(command: RunCommand): Promise<number> {
  const schedule = loadSchedule(command.schedule);
  // Task threads run in this process: instrument the scenario and the user modules it imports.
  installInstrumentation({ tracePackages: command.tracePackages });
  const scenario = await loadScenario(command.scenario);
  const executor = new TraceExecutor(schedule, {
    ...(command.timeout === undefined ? {} : { timeout: command.timeout }),
    tracePackages: command.tracePackages,
    // With --json, stdout carries only the report.
    ...(command.json ? { stdout: process.stderr } : {}),
  });
  try {
    const result = await executor.run(scenario);
    const code = result.invariantHolds ? EXIT.holds : EXIT.violated;
    return print(command.json ? JSON.stringify(resultToJSON(command.scenario, result)) : resultToText(command.scenario, result), code);
  } catch (error) {
    if (!(error instanceof InterlaceError) || !command.json) throw error;
    return print(JSON.stringify(errorToJSON(command.scenario, schedule.toString(), error)), exitCodeOf(error));
  }
}

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
