/** Command-line parsing for `interlace`. Wiring only: no scheduling logic here. */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";

export const USAGE = `Usage:
  interlace run <scenario> --schedule "<thread>:<marker> ..." [--timeout <ms>] [--json]

Commands:
  run        force one interleaving of a scenario's threads and check its invariant

Options:
  --schedule <steps|file>  steps such as "t1:read_balance t2:read_balance", or a .json/.txt schedule file
  --timeout <ms>           longest a thread may run without reaching a marker (default 10000)
  --trace-packages <globs> comma-separated package globs whose markers count too (e.g. "mylib,@scope/*")
  --json                   print one JSON object on stdout (thread output goes to stderr)
  -h, --help               show this help
  -v, --version            show the version

Exit codes: 0 invariant holds, 1 invariant violated, 2 bad input, 3 runtime fault.`;

/** Parsed `run` command. */
export interface RunCommand {
  command: "run";
  scenario: string;
  schedule: string | undefined;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

export type Command = RunCommand | { command: "help" } | { command: "version" };

/** Parses argv (without node and the script). Throws {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        schedule: { type: "string" },
        timeout: { type: "string" },
        "trace-packages": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command, scenario, ...extra] = positionals;
  if (command === undefined) throw new UsageError(`No command given.\n\n${USAGE}`);
  if (command !== "run") throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  if (scenario === undefined) throw new UsageError(`interlace run needs a scenario file.\n\n${USAGE}`);
  if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}\n\n${USAGE}`);
  return {
    command,
    scenario,
    schedule: values.schedule,
    timeout: values.timeout === undefined ? undefined : parseTimeout(values.timeout),
    tracePackages: values["trace-packages"] ? values["trace-packages"].split(",").map((s) => s.trim()).filter(Boolean) : [],
    json: values.json ?? false,
  };
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout takes a positive whole number of milliseconds, got "${text}".`);
  return ms;
}
