/** `interlace` command-line entry: parse, run, report, exit with the outcome's code. */
import { readFileSync } from "node:fs";
import { InterlaceError, InspectorError, InterruptedError, UsageError } from "../errors.js";
import { SignalStop } from "./signals.js";
import { EXIT, errorToJSON, errorToText, exitCodeOf, resultToJSON, resultToText } from "../report/run-report.js";
import { TraceExecutor } from "../explore/trace-executor.js";
import { commandErrorToJSON } from "../report/explore-report.js";
import { commandOf, helpText, parseCommand, type RunCommand } from "./args.js";
import { debugCommand, exploreCommand, print, replayCommand } from "./commands.js";
import { loadScenario, loadSchedule, withSyntaxLocation } from "./load-scenario.js";
import { installInstrumentation } from "../tasks/install.js";
import { attachCommand } from "../debug/attach/command.js";

/**
 * The reader of the CLI's output went away (the parent process died, `| head` closed the pipe):
 * stop as on SIGTERM — the run or session ends, teardown runs, every thread ends — instead of
 * dying of an unhandled EPIPE with isolates still paused (which left the process hanging).
 */
function stopWhenOutputIsGone(): void {
  let gone = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
      if (gone) return;
      gone = true;
      process.kill(process.pid, "SIGTERM");
    });
  }
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  stopWhenOutputIsGone();
  let json = argv.includes("--json");
  // Which report shape an error takes: guessed from argv until it parses.
  let name: string | undefined = commandOf(argv);
  let scenario = argv[1] ?? "";
  try {
    const command = parseCommand(argv);
    if (command.command === "help") return print(helpText(command.topic), EXIT.holds);
    if (command.command === "version") return print(version(), EXIT.holds);
    json = command.json;
    name = command.command;
    if (command.command !== "run") scenario = command.scenario;
    if (command.command === "explore") return await exploreCommand(command);
    if (command.command === "replay") return await replayCommand(command);
    if (command.command === "debug") return await debugCommand(command);
    if (command.command === "attach") return await attachCommand(command);
    return await runCommand(command);
  } catch (caught) {
    const error = caught instanceof InterlaceError ? withSyntaxLocation(caught) : new InspectorError(`internal error: ${String((caught as Error)?.stack ?? caught)}`);
    if (json) {
      const report = name === "explore" || name === "replay" ? commandErrorToJSON(scenario, error) : errorToJSON(scenario, null, error);
      return print(JSON.stringify(report), exitCodeOf(error));
    }
    process.stderr.write(`${errorToText(error)}\n`);
    // A usage error is one line, then where the right usage is (not the whole help).
    if (error instanceof UsageError) process.stderr.write(`see \`interlace ${name === undefined ? "" : `${name} `}--help\`\n`);
    return exitCodeOf(error);
  }
}

async function runCommand(command: RunCommand): Promise<number> {
  const schedule = loadSchedule(command.schedule);
  // Task threads run in this process: instrument the scenario and the user modules it imports.
  installInstrumentation({ tracePackages: command.tracePackages });
  const scenario = await loadScenario(command.scenario);
  // Ctrl-C / kill: the run stops, teardown runs, every thread ends, and the exit code says which signal.
  const signals = new SignalStop(process.stderr, "stopping the run");
  const executor = new TraceExecutor(schedule, {
    ...(command.timeout === undefined ? {} : { timeout: command.timeout }),
    tracePackages: command.tracePackages,
    // With --json, stdout carries only the report.
    ...(command.json ? { stdout: process.stderr } : {}),
    signal: signals.signal,
  });
  try {
    const result = await executor.run(scenario);
    const code = signals.exitCode(result.invariantHolds ? EXIT.holds : EXIT.violated);
    return print(command.json ? JSON.stringify({ ...resultToJSON(command.scenario, result), exitCode: code }) : resultToText(command.scenario, result), code);
  } catch (error) {
    const interrupted = error instanceof InterruptedError;
    if (!(error instanceof InterlaceError) || (!command.json && !interrupted)) throw error;
    const located = withSyntaxLocation(error);
    const code = signals.exitCode(exitCodeOf(located));
    if (!command.json) {
      process.stderr.write(`interlace: ${located.code}: ${located.message}\n`);
      return code;
    }
    return print(JSON.stringify({ ...errorToJSON(command.scenario, schedule.toString(), located), exitCode: code }), code);
  } finally {
    signals.dispose();
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
