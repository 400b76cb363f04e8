/** Command-line parsing for `interlace`. Wiring only: no scheduling logic here. */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { SEARCH_ORDERS, STRATEGY_NAMES, type SearchOrder, type StrategyName } from "../strategies/index.js";

export const USAGE = `Usage:
  interlace run <scenario> --schedule "<thread>:<marker> ..." [--timeout <ms>] [--json]
  interlace explore <scenario> [--strategy <name>] [--seed <n>] [--max-attempts <n>] [--save <file>] [--timeout <ms>] [--json]
                    [--max-executions <n>] [--preemption-bound <n>] [--search-order dfs|diverse]
                    [--max-steps <n>] [--shrink-budget <n> | --no-shrink] [--reproduce <n>]
  interlace replay <scenario> <counterexample.json> [--times <n>] [--timeout <ms>] [--json]

Commands:
  run        force one interleaving of a scenario's threads and check its invariant
  explore    run task threads under many interleavings until the invariant fails or the budget is spent
  replay     rerun a counterexample saved by explore --save

Options:
  --schedule <steps|file>  run: steps such as "t1:read_balance t2:read_balance", or a .json/.txt schedule file
  --strategy <name>        explore: ${STRATEGY_NAMES.join(", ")} (default portfolio: DPOR, random and pct
                           taking turns; random and pct only for process threads)
  --seed <n>               explore: seed of portfolio, random and pct (default: drawn at random and printed)
  --max-attempts <n>       explore: runs before concluding the invariant holds (default 200)
  --max-executions <n>     explore: the same budget under dpor's name (give one of the two)
  --preemption-bound <n>   explore: most preemptions per run, for exhaustive and dpor (portfolio's too; default: none)
  --search-order <order>   explore: dpor's order (portfolio's too), ${SEARCH_ORDERS.join(" or ")} (default dfs; diverse suits small budgets)
  --max-steps <n>          explore: decisions per thread and run; past it a thread runs freely (default 1000)
  --shrink-budget <n>      explore: runs spent shrinking a counterexample to fewer preemptions (default 200)
  --no-shrink              explore: report the counterexample as found (same as --shrink-budget 0)
  --reproduce <n>          explore: replays of the counterexample for the reproduction figure (default 10; 0: none)
  --save <file>            explore: write the counterexample there when one is found
  --times <n>              replay: how many times to replay it (default 1)
  --timeout <ms>           longest a thread may run without reaching a marker / quiet point (default 10000)
  --trace-packages <globs> comma-separated package globs whose markers count too (e.g. "mylib,@scope/*")
  --json                   print one JSON object on stdout (thread output goes to stderr)
  -h, --help               show this help
  -v, --version            show the version

Exit codes: 0 invariant holds (replay: the failure did not reproduce), 1 invariant violated
(replay: the failure reproduced), 2 bad input, 3 runtime fault.`;

/** Parsed `run` command. */
export interface RunCommand {
  command: "run";
  scenario: string;
  schedule: string | undefined;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

/** Parsed `explore` command. */
export interface ExploreCommand {
  command: "explore";
  scenario: string;
  strategy: StrategyName | undefined;
  seed: number | undefined;
  maxAttempts: number | undefined;
  maxExecutions: number | undefined;
  preemptionBound: number | undefined;
  searchOrder: SearchOrder | undefined;
  maxSteps: number | undefined;
  shrinkBudget: number | undefined;
  reproduce: number | undefined;
  save: string | undefined;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

/** Parsed `replay` command. */
export interface ReplayCommand {
  command: "replay";
  scenario: string;
  /** Path of the counterexample file. */
  counterexample: string;
  times: number;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

export type Command = RunCommand | ExploreCommand | ReplayCommand | { command: "help" } | { command: "version" };

const OPTIONS = {
  schedule: { type: "string" },
  strategy: { type: "string" },
  seed: { type: "string" },
  "max-attempts": { type: "string" },
  "max-executions": { type: "string" },
  "preemption-bound": { type: "string" },
  "search-order": { type: "string" },
  "max-steps": { type: "string" },
  "shrink-budget": { type: "string" },
  "no-shrink": { type: "boolean" },
  reproduce: { type: "string" },
  save: { type: "string" },
  times: { type: "string" },
  timeout: { type: "string" },
  "trace-packages": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command accepts, besides --json, --timeout, --trace-packages, --help and --version. */
const COMMAND_OPTIONS: Record<"run" | "explore" | "replay", readonly OptionName[]> = {
  run: ["schedule"],
  explore: ["strategy", "seed", "max-attempts", "max-executions", "preemption-bound", "search-order", "max-steps", "shrink-budget", "no-shrink", "reproduce", "save"],
  replay: ["times"],
};
const COMMON: readonly OptionName[] = ["timeout", "trace-packages", "json", "help", "version"];

/** Parses argv (without node and the script). Throws {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command, scenario, ...rest] = positionals;
  if (command === undefined) throw new UsageError(`No command given.\n\n${USAGE}`);
  if (command !== "run" && command !== "explore" && command !== "replay") throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  if (scenario === undefined) throw new UsageError(`interlace ${command} needs a scenario file.\n\n${USAGE}`);
  for (const name of Object.keys(values) as OptionName[]) {
    if (values[name] !== undefined && !COMMON.includes(name) && !COMMAND_OPTIONS[command].includes(name)) {
      throw new UsageError(`--${name} is not an option of interlace ${command}.\n\n${USAGE}`);
    }
  }
  const common = {
    scenario,
    timeout: values.timeout === undefined ? undefined : positiveInteger("--timeout", values.timeout, "milliseconds", "10000"),
    tracePackages: values["trace-packages"] ? values["trace-packages"].split(",").map((s) => s.trim()).filter(Boolean) : [],
    json: values.json ?? false,
  };
  if (command === "replay") {
    const [counterexample, ...extra] = rest;
    if (counterexample === undefined) throw new UsageError(`interlace replay needs a counterexample file (what explore --save wrote).\n\n${USAGE}`);
    rejectExtra(extra);
    const times = values.times === undefined ? 1 : positiveInteger("--times", values.times, "replays", "10");
    return { command, counterexample, times, ...common };
  }
  rejectExtra(rest);
  if (command === "run") return { command, schedule: values.schedule, ...common };
  return {
    command,
    strategy: values.strategy === undefined ? undefined : parseStrategy(values.strategy),
    seed: values.seed === undefined ? undefined : parseSeed(values.seed),
    maxAttempts: values["max-attempts"] === undefined ? undefined : positiveInteger("--max-attempts", values["max-attempts"], "runs", "500"),
    maxExecutions: values["max-executions"] === undefined ? undefined : positiveInteger("--max-executions", values["max-executions"], "executions", "1000"),
    preemptionBound: values["preemption-bound"] === undefined ? undefined : wholeNumber("--preemption-bound", values["preemption-bound"]),
    searchOrder: values["search-order"] === undefined ? undefined : parseSearchOrder(values["search-order"]),
    maxSteps: values["max-steps"] === undefined ? undefined : positiveInteger("--max-steps", values["max-steps"], "decisions", "2000"),
    shrinkBudget: shrinkBudgetOf(values["shrink-budget"], values["no-shrink"] === true),
    reproduce: values.reproduce === undefined ? undefined : wholeNumber("--reproduce", values.reproduce),
    save: values.save,
    ...common,
  };
}

function shrinkBudgetOf(text: string | undefined, none: boolean): number | undefined {
  if (none && text !== undefined) throw new UsageError("--no-shrink and --shrink-budget say different things; give one of them.");
  if (none) return 0;
  return text === undefined ? undefined : wholeNumber("--shrink-budget", text);
}

function rejectExtra(extra: readonly string[]): void {
  if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(" ")}\n\n${USAGE}`);
}

function positiveInteger(flag: string, text: string, unit: string, example: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${flag} takes a positive whole number of ${unit} (e.g. ${flag} ${example}), got "${text}".`);
  }
  return n;
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes a whole number ≥ 0 (e.g. ${flag} 2), got "${text}".`);
  return n;
}

function parseSearchOrder(text: string): SearchOrder {
  const order = SEARCH_ORDERS.find((s) => s === text);
  if (order === undefined) throw new UsageError(`--search-order takes one of ${SEARCH_ORDERS.join(", ")}, got "${text}".`);
  return order;
}

function parseStrategy(text: string): StrategyName {
  const name = STRATEGY_NAMES.find((s) => s === text);
  if (name === undefined) throw new UsageError(`--strategy takes one of ${STRATEGY_NAMES.join(", ")}, got "${text}".`);
  return name;
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--seed takes a whole number (e.g. --seed 42, as printed by an earlier explore), got "${text}".`);
  }
  return n;
}
