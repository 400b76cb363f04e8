/**
 * The CLI entry of `interlace attach <ws-url>`: check the URL, connect, then walk `--schedule` or
 * open the prompt; detach however it ends (the process is never killed).
 *
 * @module
 */
import { Schedule } from "../../engine/schedule.js";
import { InterruptedError, UnknownThreadError } from "../../errors.js";
import { SignalStop } from "../../cli/signals.js";
import { loadSchedule } from "../../cli/load-scenario.js";
import { runAttachRepl } from "./repl.js";
import { walkSchedule } from "./schedule.js";
import { AttachedTarget } from "./target.js";
import { untilSignal } from "./until-signal.js";
import { checkAttachUrl } from "./url.js";

/** Parsed `attach` command. */
export interface AttachCommand {
  command: "attach";
  /** The ws:// URL (also `scenario`, for the error reports). */
  scenario: string;
  schedule: string | undefined;
  /** The process's thread name (`--name`, default "app"). */
  name: string;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

const DEFAULT_TIMEOUT = 10_000;

export async function attachCommand(command: AttachCommand): Promise<number> {
  const url = checkAttachUrl(command.scenario);
  const schedule: Schedule | null = command.schedule === undefined ? null : loadSchedule(command.schedule);
  for (const thread of schedule?.threads() ?? []) {
    if (thread !== command.name) throw new UnknownThreadError(thread, [command.name], "--schedule");
  }
  const timeout = command.timeout ?? DEFAULT_TIMEOUT;
  const signals = new SignalStop(process.stderr, "detaching (the process runs on)");
  const target = await AttachedTarget.connect(url, { tracePackages: command.tracePackages, holdAtStart: true });
  process.stderr.write(`interlace: attached to ${url} as thread "${command.name}"\n`);
  try {
    if (schedule === null) {
      const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const code = await runAttachRepl(target, command.name, timeout, { input: process.stdin, output: process.stdout, tty, signal: signals.signal });
      return signals.exitCode(code);
    }
    const write = (line: string) => process.stdout.write(`${line}\n`);
    try {
      await walkSchedule(target, schedule, command.name, timeout, write, (arrival) => untilSignal(arrival, signals.signal));
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      process.stderr.write(`interlace: ${error.code}: ${error.message}\n`);
      return signals.exitCode(130);
    }
    write(`schedule done (${schedule.length} step${schedule.length === 1 ? "" : "s"}): detached, ${command.name} runs on`);
    return 0;
  } finally {
    await target.detach();
    signals.dispose();
  }
}
