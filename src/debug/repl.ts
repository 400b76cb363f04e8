/**
 * The line interface of `interlace debug` (node:readline): one command a line, from a terminal
 * (with a prompt, history and line editing) or from a pipe (no prompt; each command echoed after
 * `(interlace) ` so that the transcript reads like a session).
 *
 * A bad command prints its error (`error E_CODE: message`) and the session goes on. Exit code:
 * 0 after `quit` or the end of input; 1 when the invariant was last evaluated and failed; in
 * scripted mode (no terminal), 2 when any command failed, whatever else happened, so that a script
 * with a mistake does not pass; 130/143 on SIGINT/SIGTERM. Nothing runs after it returns: the
 * session is closed (teardown, every isolate disposed) however the loop ended.
 *
 * @module
 */
import { createInterface } from "node:readline";
import { InterlaceError } from "../errors.js";
import { SignalStop } from "../cli/signals.js";
import { parseDebugCommand, type DebugCommandLine } from "./commands.js";
import { renderHelp, renderInvariant, renderStack, renderState, renderView } from "./render.js";
import type { DebugSession } from "./session.js";

const PROMPT = "(interlace) ";

/** Where the REPL reads and writes. */
export interface ReplStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A terminal: prompt and line editing, no echo. */
  tty: boolean;
  /** Called once the loop ended, before the session closes (`--inspect`: the DevTools endpoint closes). */
  closing?: () => Promise<void>;
}

/** Runs commands until `quit`, the end of input or a signal; closes the session; resolves with the exit code. */
export async function runRepl(session: DebugSession, streams: ReplStreams): Promise<number> {
  const { input, output, tty } = streams;
  const write = (text: string) => output.write(`${text}\n`);
  const rl = createInterface({ input, ...(tty ? { output } : {}), terminal: tty, prompt: PROMPT, historySize: 200 });
  const signals = new SignalStop(process.stderr, "ending the session (the run goes on to its end)");
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    rl.close();
  };
  signals.signal.addEventListener("abort", stop);
  // On a terminal in raw mode, Ctrl-C reaches readline, not the process.
  rl.on("SIGINT", () => {
    write("^C");
    stop();
  });
  let errors = 0;
  try {
    write(renderView(session.view()));
    if (tty) rl.prompt();
    for await (const line of rl) {
      if (!tty) write(`${PROMPT}${line}`);
      let command: DebugCommandLine | null = null;
      try {
        command = parseDebugCommand(line);
        if (command !== null && command.name === "quit") break;
        if (command !== null) {
          const line = command;
          write(await session.serial(() => execute(session, line)));
        }
      } catch (error) {
        errors += 1;
        write(errorText(error));
      }
      if (interrupted) break;
      if (tty) rl.prompt();
    }
  } finally {
    signals.signal.removeEventListener("abort", stop);
    rl.close();
    try {
      await streams.closing?.();
      await session.quit();
    } finally {
      signals.dispose();
    }
  }
  if (interrupted || signals.received !== null) return signals.received === null ? 130 : signals.exitCode(130);
  if (!tty && errors > 0) return 2;
  const verdict = session.invariantVerdict;
  return verdict !== undefined && verdict !== null ? 1 : 0;
}

/** Carries out one command; resolves with what to print. */
export async function execute(session: DebugSession, command: DebugCommandLine): Promise<string> {
  switch (command.name) {
    case "step":
      await session.stepThread(command.thread);
      return renderView(session.view());
    case "run":
      await session.runThread(command.thread);
      return renderView(session.view());
    case "next":
      await session.next();
      return renderView(session.view());
    case "goto":
      await session.goto(command.step);
      return renderView(session.view());
    case "back":
      await session.back();
      return renderView(session.view());
    case "show":
      return renderView(session.view());
    case "print":
      return `${command.thread}: ${command.expression} = ${await session.print(command.thread, command.expression)}`;
    case "where":
      return renderStack(command.thread, await session.where(command.thread), session.kind);
    case "state":
      return renderState(await session.state());
    case "invariant":
      return renderInvariant(await session.invariant());
    case "save": {
      const saved = await session.save(command.file);
      return `saved ${saved.decisions} decision${saved.decisions === 1 ? "" : "s"} to ${saved.file}${saved.note === null ? "" : `\n  note: ${saved.note}`}`;
    }
    case "help":
      return renderHelp();
    case "quit":
      return "";
  }
}

function errorText(error: unknown): string {
  if (error instanceof InterlaceError) return `error ${error.code}: ${error.message}`;
  return `error E_INTERNAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
