/**
 * The text views of `interlace attach` (pure).
 *
 * @module
 */
import type { Arrival, Stop } from "./target.js";

/** Where the process stands, one line: `app  stopped at marker read_counter  app.mjs:12  const current = …`. */
export function renderArrival(thread: string, arrival: Arrival | null): string {
  if (arrival === null) return `${thread}  running`;
  if (arrival === "ended") return `${thread}  finished (the process ran to its end)`;
  return `${thread}  ${stopText(arrival)}`;
}

function stopText(stop: Stop): string {
  switch (stop.kind) {
    case "start":
      return `at start  ${stop.file} (before it runs)`;
    case "marker":
      return `stopped at marker ${stop.marker?.name ?? "?"}  ${stop.file}:${stop.line}  ${stop.text}`;
    case "statement":
      return `stopped at statement  ${stop.file}:${stop.line}:${stop.column + 1}  ${stop.text}`;
  }
}

/** One step of a schedule taken: `step 1  app:read_counter  fixtures/attach/app.mjs:12  const current = …`. */
export function renderScheduleStep(index: number, thread: string, stop: Stop): string {
  return `step ${index}  ${thread}:${stop.marker?.name ?? "?"}  ${stop.file}:${stop.line}  ${stop.text}`;
}

/** The commands of the attach prompt. */
export const ATTACH_HELP: ReadonlyArray<readonly [string, string]> = [
  ["run", "let the process run to its next marker (or its end)"],
  ["step", "run one statement"],
  ["print <expression>", "evaluate where the process is stopped, without side effects"],
  ["where", "the source-mapped stack"],
  ["show", "where the process stands"],
  ["help", "this list"],
  ["quit", "detach (breakpoints removed); the process runs on (also: end of input, Ctrl-C)"],
];

export function renderAttachHelp(): string {
  const width = Math.max(...ATTACH_HELP.map(([c]) => c.length));
  return ATTACH_HELP.map(([c, what]) => `  ${c.padEnd(width)}  ${what}`).join("\n");
}
