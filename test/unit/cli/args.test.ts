// Command-line parsing: per-command help, one-line usage errors, our own unknown-flag message.
import { describe, expect, it } from "vitest";
import { helpText, parseCommand } from "../../../src/cli/args.js";
import { InterlaceError } from "../../../src/errors.js";
import { closest, editDistance } from "../../../src/closest.js";

function usageError(argv: string[]): InterlaceError {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(InterlaceError);
    expect((error as InterlaceError).code).toBe("E_USAGE");
    return error as InterlaceError;
  }
  throw new Error(`parseCommand(${argv.join(" ")}) did not throw`);
}

describe("help", () => {
  it.each([
    [["help"], undefined],
    [["--help"], undefined],
    [["-h"], undefined],
    [["help", "run"], "run"],
    [["help", "explore"], "explore"],
    [["replay", "--help"], "replay"],
    [["explore", "scenario.ts", "--strategy", "dpor", "-h"], "explore"],
    [["run", "--help", "--max-atempts", "3"], "run"],
  ])("%j asks for the help of %s", (argv, topic) => {
    expect(parseCommand(argv)).toEqual(topic === undefined ? { command: "help" } : { command: "help", topic });
  });

  it("shows one command's options only", () => {
    const run = helpText("run");
    expect(run).toContain("interlace run <scenario>");
    expect(run).toContain("--schedule");
    expect(run).not.toContain("--max-attempts");
    expect(run).not.toContain("interlace explore");
    const replay = helpText("replay");
    expect(replay).toContain("--times");
    expect(replay).not.toContain("--schedule");
  });

  it("says explore explores task, worker and process threads, not task threads only", () => {
    for (const text of [helpText(), helpText("explore")]) {
      expect(text).not.toMatch(/explore\s+run task threads/);
      expect(text).toMatch(/task, worker (or|and) process threads/);
    }
    expect(helpText("explore")).toContain("--max-attempts");
  });

  it("rejects help for an unknown command, with a suggestion", () => {
    expect(usageError(["help", "exlpore"]).message).toBe('unknown command "exlpore"; did you mean explore? (commands: run, explore, replay, debug, attach)');
  });
});

describe("usage errors are one line", () => {
  it.each([
    [["explore", "s.ts", "--max-atempts", "3"], "unknown option --max-atempts for explore; did you mean --max-attempts?"],
    [["run", "s.ts", "--shedule", "a:b"], "unknown option --shedule for run; did you mean --schedule?"],
    [["replay", "s.ts", "c.json", "--time", "2"], "unknown option --time for replay; did you mean --times?"],
    [["explore", "s.ts", "--frobnicate"], "unknown option --frobnicate for explore"],
    [["--jsn"], "unknown option --jsn; did you mean --json?"],
    [["explore", "s.ts", "-x"], "unknown option -x for explore"],
    [["run", "s.ts"], 'interlace run needs --schedule, e.g. --schedule "t1:read_balance t2:read_balance"'],
    [["explode"], 'unknown command "explode"; did you mean explore? (commands: run, explore, replay, debug, attach)'],
    [[], "no command given (commands: run, explore, replay, debug, attach)"],
    [["explore", "s.ts", "--schedule", "a:b"], "--schedule is not an option of interlace explore (it is an option of interlace run and attach)"],
    [["replay", "s.ts"], "interlace replay needs a counterexample file (what explore --save wrote)"],
    [["run", "s.ts", "--schedule", "a:b", "extra"], "unexpected arguments: extra"],
  ])("%j", (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain("\n");
  });

  it("a missing option value is one line too", () => {
    expect(usageError(["run", "s.ts", "--schedule"]).message).toMatch(/^Option '--schedule <value>' argument missing$/);
  });
});

describe("closest", () => {
  it("finds the nearest known name within a third of its length", () => {
    expect(editDistance("max-atempts", "max-attempts")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(closest("max-atempts", ["save", "max-attempts", "max-steps"])).toBe("max-attempts");
    expect(closest("treads", ["setup", "threads", "invariant"])).toBe("threads");
    expect(closest("frobnicate", ["save", "seed"])).toBeNull();
  });
});
