/**
 * The prompt of `interlace attach` without `--schedule`: `interlace debug`'s line loop reduced to
 * one thread (the process). Commands are parsed by the debug parser with the thread filled in, so
 * `run`, `run app`, `print total`, `print app total` all read.
 *
 * @module
 */
import { createInterface } from "node:readline";
import { DebugCommandError, InterlaceError, InterruptedError, UsageError } from "../../errors.js";
import { parseDebugCommand, type DebugCommandLine } from "../commands.js";
import { renderArrival, renderAttachHelp } from "./render.js";
import type { Arrival, AttachedTarget } from "./target.js";
import { untilSignal } from "./until-signal.js";

const PROMPT = "(interlace) ";
const ONE_THREAD = new Set(["run", "r", "step", "s", "where", "w"]);
const PRINT = new Set(["print", "p"]);

/** Where the prompt reads and writes. */
export interface AttachReplStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  tty: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** Parses one line, filling in the thread when it is left out. Null for blank lines and comments. */
export function parseAttachCommand(line: string, thread: string): DebugCommandLine | null {
  const words = line.trim().split(/\s+/);
  const word = words[0] ?? "";
  if (ONE_THREAD.has(word) && words.length === 1) return parseDebugCommand(`${word} ${thread}`);
  if (PRINT.has(word) && words.length >= 2 && words[1] !== thread) return parseDebugCommand(`${word} ${thread} ${line.trim().slice(word.length).trim()}`);
  const command = parseDebugCommand(line);
  if (command !== null && "thread" in command && command.thread !== thread) {
    throw new UsageError(`the attached process is the one thread "${thread}" (give no thread, or ${thread})`);
  }
  return command;
}

/** Runs the prompt until quit, the end of input or a signal; resolves with the exit code (the caller detaches). */
export async function runAttachRepl(target: AttachedTarget, thread: string, timeout: number, streams: AttachReplStreams): Promise<number> {
  const { input, output, tty, signal } = streams;
  const write = (text: string) => output.write(`${text}\n`);
  const rl = createInterface({ input, ...(tty ? { output } : {}), terminal: tty, prompt: PROMPT, historySize: 200 });
  // Taken now: lines read while the first stop is awaited are kept, not dropped.
  const lines = rl[Symbol.asyncIterator]();
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    rl.close();
  };
  signal.addEventListener("abort", stop);
  rl.on("SIGINT", () => {
    write("^C");
    stop();
  });
  let errors = 0;
  let where: Arrival | null = null;
  const move = async (how: () => Promise<void>, waitingFor: string): Promise<string> => {
    if (where === "ended") throw new DebugCommandError("E_DEBUG_NOT_RUNNABLE", `${thread} has finished`);
    await how();
    where = null;
    where = await untilSignal(target.next(timeout, waitingFor), signal);
    return renderArrival(thread, where);
  };
  try {
    where = await untilSignal(target.next(timeout, "its first script"), signal);
    write(renderArrival(thread, where));
    if (tty) rl.prompt();
    for await (const line of lines) {
      if (!tty) write(`${PROMPT}${line}`);
      try {
        const command = parseAttachCommand(line, thread);
        if (command !== null && command.name === "quit") break;
        if (command !== null) {
          switch (command.name) {
            case "run":
              write(await move(() => target.resume(), "its next marker"));
              break;
            case "step":
              write(await move(() => target.step(), "its next statement"));
              break;
            case "print":
              write(`${thread}: ${command.expression} = ${await target.print(command.expression)}`);
              break;
            case "where":
              write(target.where().map((frame) => `  ${frame}`).join("\n"));
              break;
            case "show":
              write(renderArrival(thread, where));
              break;
            case "help":
              write(renderAttachHelp());
              break;
            default:
              throw new UsageError(`${command.name} is a command of interlace debug; attached to a process: run, step, print, where, show, help, quit`);
          }
        }
      } catch (error) {
        if (error instanceof InterruptedError) break;
        errors += 1;
        write(errorText(error));
      }
      if (interrupted) break;
      if (tty) rl.prompt();
    }
  } finally {
    signal.removeEventListener("abort", stop);
    rl.close();
  }
  if (interrupted) return 130;
  return !tty && errors > 0 ? 2 : 0;
}

function errorText(error: unknown): string {
  if (error instanceof InterlaceError) return `error ${error.code}: ${error.message}`;
  return `error E_INTERNAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
