/** Help texts of `interlace`: the overview (`interlace --help`) and one per command (`interlace help <command>`). */
import { SEARCH_ORDERS, STRATEGY_NAMES } from "../strategies/index.js";

/** The commands `interlace` knows. */
export const COMMANDS = ["run", "explore", "replay", "debug", "attach"] as const;
export type CommandName = (typeof COMMANDS)[number];

const SYNOPSIS: Record<CommandName, string> = {
  run: `interlace run <scenario> --schedule "<thread>:<marker> ..." [--timeout <ms>] [--trace-packages <globs>] [--json]`,
  explore: `interlace explore <scenario> [--strategy <name>] [--seed <n>] [--max-attempts <n>] [--save <file>] [--timeout <ms>] [--json]
                    [--max-executions <n>] [--preemption-bound <n>] [--search-order dfs|diverse]
                    [--max-steps <n>] [--granularity statements|io|markers] [--shrink-budget <n> | --no-shrink] [--reproduce <n>] [--time-budget <duration>] [--trace-packages <globs>]
                    [--report <file.html>]`,
  replay: `interlace replay <scenario> <counterexample.json> [--times <n>] [--report <file.html>] [--timeout <ms>] [--trace-packages <globs>] [--json]`,
  debug: `interlace debug <scenario> [<counterexample.json>] [--at <step>] [--markers] [--inspect] [--max-steps <n>] [--timeout <ms>] [--trace-packages <globs>]`,
  attach: `interlace attach <ws-url> [--schedule "<thread>:<marker> ..."] [--name <thread>] [--timeout <ms>] [--trace-packages <globs>]`,
};

const SUMMARY: Record<CommandName, string> = {
  run: "force one interleaving of a scenario's threads and check its invariant",
  explore: "run a scenario's task, worker or process threads under many interleavings\n             until the invariant fails or the budget is spent",
  replay: "rerun a counterexample saved by explore --save",
  debug: "walk an interleaving step by step: choose who runs, print values, go back, save",
  attach: "drive an external node --inspect-wait process through its markers (a schedule, or a prompt)",
};

const DESCRIPTION: Record<CommandName, string> = {
  run: `Runs the scenario's threads once, in the order the schedule gives: each step lets one thread run
to its next marker (a "// interlace: <name>" comment). Then checks the invariant.`,
  explore: `Explores interleavings of the scenario's task, worker and process threads: task threads
switch at every await and marker, worker and process threads at every statement (or every marker
with --strategy markers). Stops at the first run that violates the invariant, shrinks it and
reports how to replay it.`,
  replay: `Reruns a counterexample that explore --save wrote, after checking that the traced sources have
not changed since it was recorded.`,
  debug: `Runs the scenario's threads held at every decision (worker and process threads: every statement,
or every marker with --markers; task threads: every await and marker) and reads commands, one a
line, from the terminal or from stdin: step <thread>, run <thread>, next, goto <n>, back,
print <thread> <expression>, where <thread>, state, save <file>, invariant, help, quit.
With a counterexample, next follows its decisions and --at starts after that many of them.`,
  attach: `Connects to a node process started with node --inspect-wait=127.0.0.1:0 app.js (the ws:// URL it
prints; loopback hosts only), reads the markers of the scripts it loads and stops it at them. With
--schedule it runs the process through those markers, printing each stop, then detaches; without,
it reads commands from the terminal or stdin: run, step, print <expression>, where, show, help, quit.
interlace never ends the process: quit, end of input and Ctrl-C detach and let it run on.`,
};

const OPTIONS: Record<CommandName, string> = {
  run: `  --schedule <steps|file>  steps such as "t1:read_balance t2:read_balance", or a .json/.txt schedule file (required)`,
  explore: `  --strategy <name>        ${STRATEGY_NAMES.join(", ")} (default portfolio: DPOR, random and pct
                           taking turns)
  --seed <n>               seed of portfolio, random and pct (default: drawn at random and printed)
  --max-attempts <n>       runs before concluding the invariant holds (default 200)
  --max-executions <n>     the same budget under dpor's name (give one of the two)
  --preemption-bound <n>   most preemptions per run, for exhaustive and dpor (portfolio's too; default: none)
  --search-order <order>   dpor's order (portfolio's too), ${SEARCH_ORDERS.join(" or ")} (default dfs; diverse suits small budgets)
  --max-steps <n>          decisions per thread and run; past it a thread runs freely (default 1000)
  --granularity <where>    worker/process threads: statements (every statement of traced code, the
                           default with worker threads), io (markers and each operation on files,
                           connections, databases, child processes, native addons, from any code;
                           the default when every thread is a process), markers (markers only)
  --shrink-budget <n>      runs spent shrinking a counterexample to fewer preemptions (default 200)
  --no-shrink              report the counterexample as found (same as --shrink-budget 0)
  --reproduce <n>          replays of the counterexample for the reproduction figure (default 10; 0: none)
  --time-budget <duration> stop after this long (e.g. 90s, 5m; a bare number is seconds), after the
                           run in progress; prints what was explored, never "search complete"
  --save <file>            write the counterexample there when one is found
  --report <file.html>     write a self-contained HTML report there: the counterexample's timeline
                           (threads, steps, conflicts, source lines), or the search summary when it holds`,
  replay: `  --times <n>              how many times to replay it (default 1)
  --report <file.html>     write a self-contained HTML report of the replayed counterexample there`,
  debug: `  --at <n>                 start after n decisions of the counterexample (default 0)
  --markers                worker/process threads stop at markers only (default: every statement;
                           a counterexample's own granularity wins)
  --inspect                also serve a DevTools (CDP) endpoint on 127.0.0.1 (random port, printed on
                           stderr): Chrome DevTools or VS Code attach to the paused worker/process
                           threads; their resume/step takes one step of that thread
  --max-steps <n>          decisions per thread and run; past it a thread runs freely (default 1000)`,
  attach: `  --schedule <steps|file>  stops such as "app:read app:write" (the process is one thread); without it, a prompt
  --name <thread>          the process's thread name in the schedule and the prompt (default app)`,
};

const COMMON_OPTIONS = `  --timeout <ms>           longest a thread may run without reaching a marker / quiet point (default 10000)
  --trace-packages <globs> comma-separated package globs whose markers count too (e.g. "mylib,@scope/*")
  --json                   print one JSON object on stdout (thread output goes to stderr)
  -h, --help               show this help`;

const EXIT_CODES: Record<CommandName | "all", string> = {
  all: `Exit codes: 0 invariant holds (replay: the failure did not reproduce), 1 invariant violated
(replay: the failure reproduced), 2 bad input, 3 runtime fault.`,
  run: "Exit codes: 0 invariant holds, 1 invariant violated, 2 bad input, 3 runtime fault.",
  explore: "Exit codes: 0 invariant holds in every run explored, 1 counterexample found, 2 bad input, 3 runtime fault,\n130/143 stopped by SIGINT/SIGTERM (Ctrl-C: stop after the run in progress; twice: at once).",
  replay: "Exit codes: 0 the failure did not reproduce, 1 the failure reproduced, 2 bad input, 3 runtime fault.",
  debug: "Exit codes: 0 after quit or end of input, 1 the invariant was evaluated and failed, 2 bad input (scripted\nfrom stdin: also when any command failed), 3 runtime fault, 130/143 SIGINT/SIGTERM.",
  attach: "Exit codes: 0 the schedule was walked (or quit / end of input), 2 bad input (scripted from stdin: also when\nany command failed), 3 runtime fault (timeout, stall, the process ended early), 130/143 SIGINT/SIGTERM.",
};

/** `interlace --help`: every command's synopsis, and where to find its options. */
export function overviewHelp(): string {
  return `Usage:
${COMMANDS.map((c) => `  ${SYNOPSIS[c]}`).join("\n")}
  interlace help <command>
  interlace --version

Commands:
${COMMANDS.map((c) => `  ${c.padEnd(9)}  ${SUMMARY[c]}`).join("\n")}

Run \`interlace help <command>\` (or \`interlace <command> --help\`) for the options of a command.

Options of every command:
${COMMON_OPTIONS}
  -v, --version            show the version

${EXIT_CODES.all}`;
}

/** `interlace help <command>` and `interlace <command> --help`. */
export function commandHelp(command: CommandName): string {
  return `Usage:
  ${SYNOPSIS[command]}

${DESCRIPTION[command]}

Options:
${OPTIONS[command]}
${COMMON_OPTIONS}

${EXIT_CODES[command]}`;
}

/** Help for `topic`, or the overview. */
export function helpText(topic?: CommandName): string {
  return topic === undefined ? overviewHelp() : commandHelp(topic);
}
