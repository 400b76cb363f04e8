/**
 * The commands of `interlace debug`, parsed from one line each. Pure: no session, no I/O.
 *
 * @module
 */
import { UsageError } from "../errors.js";
import { closest } from "../closest.js";

/** One parsed command. */
export type DebugCommandLine =
  | { name: "step" | "run" | "where"; thread: string }
  | { name: "print"; thread: string; expression: string }
  | { name: "goto"; step: number }
  | { name: "save"; file: string }
  | { name: "next" | "back" | "state" | "invariant" | "help" | "quit" | "show" };

/** Every command with its arguments and what it does, for `help` and suggestions. */
export const COMMAND_HELP: ReadonlyArray<readonly [string, string]> = [
  ["step <thread>", "run that thread one step (a statement or marker of a worker/process, a gate of a task)"],
  ["run <thread>", "run that thread until it stops at its next marker (or finishes, or cannot run)"],
  ["next", "take the next decision of the counterexample (or of the interleaving walked before a back)"],
  ["goto <n>", "go to step n (n decisions taken): forward along the interleaving, or back by replaying it"],
  ["back", "one step back (replays the run from its start to the step before)"],
  ["print <thread> <expression>", "evaluate an expression where that thread is stopped, without side effects"],
  ["where <thread>", "the source-mapped stack of a stopped thread"],
  ["state", "the scenario state (what setup() returned) as it is now"],
  ["show", "the threads and the last steps again"],
  ["save <file>", "write the decisions taken so far as a counterexample for interlace replay"],
  ["invariant", "check the invariant (once every thread finished)"],
  ["help", "this list"],
  ["quit", "end the session (also: exit, end of input, Ctrl-C)"],
];

const ALIASES: Readonly<Record<string, string>> = { s: "step", r: "run", n: "next", g: "goto", b: "back", p: "print", w: "where", q: "quit", exit: "quit", "?": "help", h: "help", ls: "show" };
const NAMES = ["step", "run", "next", "goto", "back", "print", "where", "state", "show", "save", "invariant", "help", "quit"] as const;

/** Parses one line; null for a blank line or a comment (`# …`). Throws {@link UsageError}. */
export function parseDebugCommand(line: string): DebugCommandLine | null {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return null;
  const [word = "", ...rest] = text.split(/\s+/);
  const name = ALIASES[word] ?? word;
  const args = rest;
  const usage = (what: string) => new UsageError(`${what} (try \`help\`)`);
  switch (name) {
    case "step":
    case "run":
    case "where":
      if (args.length !== 1) throw usage(`${name} takes one thread name: ${name} <thread>`);
      return { name, thread: args[0]! };
    case "print": {
      const m = /^\S+\s+(\S+)\s+([\s\S]+)$/.exec(text);
      if (m === null) throw usage("print takes a thread and an expression: print <thread> <expression>, e.g. print t1 current");
      return { name, thread: m[1]!, expression: m[2]!.trim() };
    }
    case "goto": {
      if (args.length !== 1 || !/^\d+$/.test(args[0]!)) throw usage("goto takes a step number: goto <n> (0 is before the first decision)");
      return { name, step: Number(args[0]) };
    }
    case "save": {
      const file = text.slice(word.length).trim();
      if (file === "") throw usage("save takes a file: save <file.json>");
      return { name, file };
    }
    case "next":
    case "back":
    case "state":
    case "show":
    case "invariant":
    case "help":
    case "quit":
      if (args.length > 0) throw usage(`${name} takes no argument`);
      return { name };
    default: {
      const best = closest(word, NAMES);
      throw new UsageError(`unknown command "${word}"${best === null ? "" : `; did you mean ${best}?`} (commands: ${NAMES.join(", ")})`);
    }
  }
}
