/** Command-line parsing for `interlace`. Wiring only: no scheduling logic here. */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { SEARCH_ORDERS, STRATEGY_NAMES, type SearchOrder, type StrategyName } from "../strategies/index.js";
import { closest } from "../closest.js";
import { COMMANDS, type CommandName } from "./help.js";
import type { DebugCommand } from "../debug/command.js";
import type { AttachCommand } from "../debug/attach/command.js";

export { helpText, type CommandName } from "./help.js";

/** Parsed `run` command. */
export interface RunCommand {
  command: "run";
  scenario: string;
  schedule: string;
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
  /** `--granularity`: where worker and process threads stop for decisions. */
  granularity: "statements" | "io" | "markers" | undefined;
  shrinkBudget: number | undefined;
  reproduce: number | undefined;
  /** `--time-budget`, in milliseconds. */
  timeBudget: number | undefined;
  save: string | undefined;
  /** `--report <file>`: the HTML report to write. */
  report: string | undefined;
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
  /** `--report <file>`: the HTML report to write. */
  report: string | undefined;
  timeout: number | undefined;
  tracePackages: string[];
  json: boolean;
}

/** `interlace help [command]`, `interlace [command] --help`: the overview, or one command's help. */
export interface HelpCommand {
  command: "help";
  topic?: CommandName;
}

export type { DebugCommand, AttachCommand };

export type Command = RunCommand | ExploreCommand | ReplayCommand | DebugCommand | AttachCommand | HelpCommand | { command: "version" };

const OPTIONS = {
  schedule: { type: "string" },
  strategy: { type: "string" },
  seed: { type: "string" },
  "max-attempts": { type: "string" },
  "max-executions": { type: "string" },
  "preemption-bound": { type: "string" },
  "search-order": { type: "string" },
  "max-steps": { type: "string" },
  granularity: { type: "string" },
  "shrink-budget": { type: "string" },
  "no-shrink": { type: "boolean" },
  reproduce: { type: "string" },
  "time-budget": { type: "string" },
  save: { type: "string" },
  report: { type: "string" },
  times: { type: "string" },
  at: { type: "string" },
  markers: { type: "boolean" },
  inspect: { type: "boolean" },
  name: { type: "string" },
  timeout: { type: "string" },
  "trace-packages": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command accepts, besides --json, --timeout, --trace-packages, --help and --version. */
const COMMAND_OPTIONS: Record<CommandName, readonly OptionName[]> = {
  run: ["schedule"],
  explore: ["strategy", "seed", "max-attempts", "max-executions", "preemption-bound", "search-order", "max-steps", "granularity", "shrink-budget", "no-shrink", "reproduce", "time-budget", "save", "report"],
  replay: ["times", "report"],
  debug: ["at", "max-steps", "markers", "inspect"],
  attach: ["schedule", "name"],
};
const COMMON: readonly OptionName[] = ["timeout", "trace-packages", "json", "help", "version"];

function isCommand(name: string | undefined): name is CommandName {
  return (COMMANDS as readonly (string | undefined)[]).includes(name);
}

function lenient(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
}

/** The command argv names, if it names a known one (for reports and the help hint of usage errors). */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  try {
    const first = lenient(argv).positionals[0];
    return isCommand(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

function suggestion(name: string, known: readonly string[], prefix = ""): string {
  const best = closest(name, known);
  return best === null ? "" : `; did you mean ${prefix}${best}?`;
}

/** Parses argv (without node and the script). Throws {@link UsageError} (one line: main adds the help hint). */
export function parseCommand(argv: readonly string[]): Command {
  const loose = lenient(argv);
  const [first, topic] = loose.positionals;
  const named = isCommand(first) ? first : undefined;
  if (first === "help") {
    if (topic === undefined) return { command: "help" };
    if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}"${suggestion(topic, COMMANDS)} (commands: ${COMMANDS.join(", ")})`);
    return { command: "help", topic };
  }
  if (loose.values.help !== undefined) return named === undefined ? { command: "help" } : { command: "help", topic: named };
  if (loose.values.version !== undefined) return { command: "version" };
  for (const token of loose.tokens) {
    if (token.kind !== "option" || Object.hasOwn(OPTIONS, token.name)) continue;
    const known = named === undefined ? (Object.keys(OPTIONS) as OptionName[]) : [...COMMAND_OPTIONS[named], ...COMMON];
    const where = named === undefined ? "" : ` for ${named}`;
    throw new UsageError(`unknown option ${token.rawName}${where}${suggestion(token.name, known, "--")}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  const [command, scenario, ...rest] = positionals;
  if (command === undefined) throw new UsageError(`no command given (commands: ${COMMANDS.join(", ")})`);
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"${suggestion(command, COMMANDS)} (commands: ${COMMANDS.join(", ")})`);
  if (scenario === undefined) throw new UsageError(command === "attach" ? 'interlace attach needs the ws:// URL the process printed ("Debugger listening on ws://127.0.0.1:PORT/ID")' : `interlace ${command} needs a scenario file`);
  for (const name of Object.keys(values) as OptionName[]) {
    if (values[name] !== undefined && !COMMON.includes(name) && !COMMAND_OPTIONS[command].includes(name)) {
      const owners = COMMANDS.filter((c) => COMMAND_OPTIONS[c].includes(name));
      throw new UsageError(`--${name} is not an option of interlace ${command} (it is an option of interlace ${owners.join(" and ")})`);
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
    if (counterexample === undefined) throw new UsageError("interlace replay needs a counterexample file (what explore --save wrote)");
    rejectExtra(extra);
    const times = values.times === undefined ? 1 : positiveInteger("--times", values.times, "replays", "10");
    return { command, counterexample, times, report: reportPath(values.report), ...common };
  }
  if (command === "debug") {
    const [counterexample, ...extra] = rest;
    rejectExtra(extra);
    return {
      command,
      counterexample,
      at: values.at === undefined ? undefined : wholeNumber("--at", values.at),
      maxSteps: values["max-steps"] === undefined ? undefined : positiveInteger("--max-steps", values["max-steps"], "decisions", "2000"),
      markers: values.markers ?? false,
      inspect: values.inspect ?? false,
      ...common,
    };
  }
  rejectExtra(rest);
  if (command === "attach") {
    const name = values.name ?? "app";
    if (!/^[A-Za-z_$][\w$.-]*$/.test(name)) throw new UsageError(`--name takes a thread name (a letter, _ or $, then letters, digits, _, $, . or -), got "${name}"`);
    return { command, schedule: values.schedule, name, ...common };
  }
  if (command === "run") {
    if (values.schedule === undefined) throw new UsageError('interlace run needs --schedule, e.g. --schedule "t1:read_balance t2:read_balance"');
    return { command, schedule: values.schedule, ...common };
  }
  return {
    command,
    strategy: values.strategy === undefined ? undefined : parseStrategy(values.strategy),
    seed: values.seed === undefined ? undefined : parseSeed(values.seed),
    maxAttempts: values["max-attempts"] === undefined ? undefined : positiveInteger("--max-attempts", values["max-attempts"], "runs", "500"),
    maxExecutions: values["max-executions"] === undefined ? undefined : positiveInteger("--max-executions", values["max-executions"], "executions", "1000"),
    preemptionBound: values["preemption-bound"] === undefined ? undefined : wholeNumber("--preemption-bound", values["preemption-bound"]),
    searchOrder: values["search-order"] === undefined ? undefined : parseSearchOrder(values["search-order"]),
    maxSteps: values["max-steps"] === undefined ? undefined : positiveInteger("--max-steps", values["max-steps"], "decisions", "2000"),
    granularity: granularityOption(values.granularity),
    shrinkBudget: shrinkBudgetOf(values["shrink-budget"], values["no-shrink"] === true),
    reproduce: values.reproduce === undefined ? undefined : wholeNumber("--reproduce", values.reproduce),
    timeBudget: values["time-budget"] === undefined ? undefined : duration("--time-budget", values["time-budget"]),
    save: values.save,
    report: reportPath(values.report),
    ...common,
  };
}

/** `--granularity statements|io|markers`. */
function granularityOption(value: string | undefined): "statements" | "io" | "markers" | undefined {
  if (value === undefined) return undefined;
  if (value === "statements" || value === "io" || value === "markers") return value;
  throw new UsageError(`--granularity takes statements, io or markers, got "${value}" (io: a decision before each file, connection, child process or native call; statements: every statement of traced code).`);
}

function reportPath(text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === "") throw new UsageError("--report takes the path of the HTML file to write, e.g. --report race.html.");
  return text;
}

function shrinkBudgetOf(text: string | undefined, none: boolean): number | undefined {
  if (none && text !== undefined) throw new UsageError("--no-shrink and --shrink-budget say different things; give one of them.");
  if (none) return 0;
  return text === undefined ? undefined : wholeNumber("--shrink-budget", text);
}

/** A duration such as `90s`, `5m`, `1500ms` or `30` (seconds), in milliseconds. */
function duration(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"] : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1) throw new UsageError(`${flag} takes a duration such as 90s, 5m or 1500ms (a bare number is seconds), got "${text}".`);
  return Math.round(ms);
}

function rejectExtra(extra: readonly string[]): void {
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
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
