/**
 * The `interlace` command as users run it: bin/interlace.js over the built dist/, in a child
 * process, checking exit codes, stdout and stderr.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { RunReportJSON } from "../../src/report/run-report.js";

const root = new URL("../..", import.meta.url);
const LOST = "t1:read_balance t2:read_balance t1:write_balance t2:write_balance";
const SERIAL = "t1:read_balance t1:write_balance t2:read_balance t2:write_balance";

function interlace(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json(stdout: string): RunReportJSON {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as RunReportJSON;
}

describe("interlace run", () => {
  it("shows the lost update of the bank example and exits 1", () => {
    const { code, stdout } = interlace("run", "examples/bank/scenario.ts", "--schedule", LOST);

    expect(code).toBe(1);
    expect(stdout).toContain("✗ invariant violated (invariant returned false)");
    expect(stdout).toContain("final state: { balance: Int32Array(1) [ 150 ] }");
    expect(stdout).toMatch(/1\s+t1\s+read_balance\s+examples\/bank\/account\.ts:8\s+const current = shared\.balance\[0\]!;/);
    expect(stdout).toMatch(/4\s+t2\s+write_balance\s+examples\/bank\/account\.ts:10/);
  });

  it("exits 0 on the serial schedule", () => {
    const { code, stdout } = interlace("run", "examples/bank/scenario.ts", "--schedule", SERIAL);

    expect(code).toBe(0);
    expect(stdout).toContain("✓ invariant holds");
    expect(stdout).toContain("Int32Array(1) [ 200 ]");
  });

  it("prints one JSON object with --json", () => {
    const { code, stdout } = interlace("run", "examples/bank/scenario.ts", "--schedule", LOST, "--json");

    expect(code).toBe(1);
    const report = json(stdout);
    expect(report).toMatchObject({ outcome: "violated", exitCode: 1, schedule: LOST, state: { balance: [150] }, stateText: "{ balance: Int32Array(1) [ 150 ] }" });
    expect(report.trace?.map((t) => `${t.thread}:${t.marker}@${t.file}:${t.line}`)).toEqual([
      "t1:read_balance@examples/bank/account.ts:8",
      "t2:read_balance@examples/bank/account.ts:8",
      "t1:write_balance@examples/bank/account.ts:10",
      "t2:write_balance@examples/bank/account.ts:10",
    ]);
  });

  it("forces the lost update between two processes on a SQLite file", () => {
    const lost = interlace("run", "examples/bank-sqlite/scenario.ts", "--schedule", "p1:read_balance p2:read_balance p1:write_balance p2:write_balance");
    const serial = interlace("run", "examples/bank-sqlite/scenario.ts", "--schedule", "p1:read_balance p1:write_balance p2:read_balance p2:write_balance");

    expect(lost.code).toBe(1);
    expect(lost.stdout).toContain("balance is 150, expected 200");
    expect(serial.code).toBe(0);
  });

  it("reads schedules from .json and .txt files", () => {
    expect(interlace("run", "examples/bank/scenario.ts", "--schedule", "fixtures/cli/lost-update.json").code).toBe(1);
    expect(interlace("run", "examples/bank/scenario.ts", "--schedule", "fixtures/cli/serial.txt").code).toBe(0);
  });

  it("runs CommonJS scenario modules", () => {
    const { code, stdout } = interlace("run", "fixtures/cli/scenario.cjs", "--schedule", "t1:read t2:read t1:write t2:write");

    expect(code).toBe(1);
    expect(stdout).toContain("cells: Int32Array(2) [ 1, 4 ]");
  });

  it("keeps stdout pure JSON when threads print, sending their output to stderr", () => {
    const { code, stdout, stderr } = interlace("run", "fixtures/cli/noisy-scenario.mjs", "--schedule", "a:bump b:bump", "--json");

    expect(code).toBe(0);
    expect(json(stdout).outcome).toBe("holds");
    expect(stderr).toContain("thread 1 says hello on stdout");
    expect(stderr).toContain("thread 2 says hello on stderr");
  });

  it("forwards thread output to stdout without --json", () => {
    const { stdout } = interlace("run", "fixtures/cli/noisy-scenario.mjs", "--schedule", "a:bump b:bump");

    expect(stdout).toContain("thread 1 says hello on stdout");
  });
});

describe("interlace run rejects bad input with exit code 2", () => {
  it.each([
    ["unknown marker", ["examples/bank/scenario.ts", "--schedule", "t1:read_balanse"], "E_UNKNOWN_MARKER", /Markers found in the sources thread "t1" loaded: read_balance, write_balance/],
    ["unknown thread", ["examples/bank/scenario.ts", "--schedule", "t3:read_balance"], "E_UNKNOWN_THREAD", /Known threads: "t1", "t2"/],
    ["malformed schedule", ["examples/bank/scenario.ts", "--schedule", "t1 read_balance"], "E_SCHEDULE_SYNTAX", /expected "<thread>:<marker>"/],
    ["malformed schedule file", ["examples/bank/scenario.ts", "--schedule", "fixtures/cli/malformed.json"], "E_SCHEDULE_SYNTAX", /step 1 must be/],
    ["missing schedule file", ["examples/bank/scenario.ts", "--schedule", "nope.json"], "E_SCHEDULE_SYNTAX", /Cannot read schedule file nope\.json/],
    ["missing --schedule", ["examples/bank/scenario.ts"], "E_USAGE", /interlace run needs --schedule/],
    ["missing scenario", ["examples/nope.ts", "--schedule", "t1:x"], "E_MODULE_NOT_FOUND", /Scenario file not found/],
    ["no default export", ["fixtures/cli/no-default.mjs", "--schedule", "a:bump"], "E_SCENARIO_LOAD", /has no default export/],
    ["bad timeout", ["examples/bank/scenario.ts", "--schedule", SERIAL, "--timeout", "soon"], "E_USAGE", /positive whole number/],
    ["unknown flag", ["examples/bank/scenario.ts", "--shedule", SERIAL], "E_USAGE", /unknown option --shedule for run; did you mean --schedule\?/],
    ["unknown scenario key", ["fixtures/cli/unknown-key-scenario.mjs", "--schedule", "a:bump"], "E_SCENARIO_INVALID", /Scenario key "invariants" is not one defineScenario knows \(did you mean "invariant"\?\)\. Known keys: setup, threads, invariant, teardown\./],
    ["unknown key of a plain scenario object", ["fixtures/cli/unknown-key-plain-scenario.mjs", "--schedule", "a:bump"], "E_SCENARIO_INVALID", /Scenario key "strategy" is not one defineScenario knows\. Known keys/],
    ["syntax error in a scenario", ["fixtures/cli/syntax-error-scenario.mts", "--schedule", "a:x"], "E_SCENARIO_LOAD", /fixtures\/cli\/syntax-error-scenario\.mts:5:53: SyntaxError: Unexpected token\n  5 \|   threads: .*const x = ; \}\) \},\n    \| {53}\^/],
    ["syntax error in a task module", ["fixtures/cli/syntax-error-task-scenario.mts", "--schedule", "a:x"], "E_SCENARIO_LOAD", /fixtures\/cli\/syntax-error-task\.mts:4:17: SyntaxError: Unexpected token/],
    ["syntax error in a worker module", ["fixtures/cli/syntax-error-thread-scenario.mjs", "--schedule", "a:x"], "E_MODULE_LOAD", /fixtures\/cli\/syntax-error-thread\.mjs:4:3: SyntaxError: Unexpected reserved word 'let'\.\n  4 \|   let = = 3;\n    \|   \^/],
  ])("%s", (_name, args, code, message) => {
    const text = interlace("run", ...args);
    const asJson = interlace("run", ...args, "--json");

    expect(text.code).toBe(2);
    expect(text.stderr).toContain(`interlace: ${code}:`);
    expect(text.stderr).toMatch(message);
    expect(asJson.code).toBe(2);
    expect(json(asJson.stdout).error).toMatchObject({ code, category: "input" });
  });

  it("rejects an unknown command in one line, suggesting the closest, and points at the help", () => {
    const { code, stderr } = interlace("explode");

    expect(code).toBe(2);
    expect(stderr).toBe('interlace: E_USAGE: unknown command "explode"; did you mean explore? (commands: run, explore, replay, debug, attach)\nsee `interlace --help`\n');
  });

  it("prints a usage error as one line plus where the command's help is, not the whole help", () => {
    expect(interlace("run", "examples/bank/scenario.ts").stderr).toBe(
      'interlace: E_USAGE: interlace run needs --schedule, e.g. --schedule "t1:read_balance t2:read_balance"\nsee `interlace run --help`\n',
    );
    expect(interlace("run", "examples/bank/scenario.ts", "--shedule", SERIAL).stderr).toBe(
      "interlace: E_USAGE: unknown option --shedule for run; did you mean --schedule?\nsee `interlace run --help`\n",
    );
  });
});

describe("interlace run reports runtime faults with exit code 3", () => {
  it("stalls at once when no thread can take the next step", () => {
    const { code, stderr } = interlace("run", "examples/bank/scenario.ts", "--schedule", "t1:write_balance t1:read_balance");

    expect(code).toBe(3);
    expect(stderr).toContain("E_SCHEDULE_STALL");
    expect(stderr).toContain('t1: paused at marker "read_balance" (examples/bank/account.ts:8)');
  });

  it("reports the fault in JSON with --json", () => {
    const { code, stdout } = interlace("run", "examples/bank/scenario.ts", "--schedule", "t1:read_balance t1:write_balance t1:read_balance", "--json");

    expect(code).toBe(3);
    expect(json(stdout)).toMatchObject({ outcome: "error", exitCode: 3, error: { code: "E_STEP_THREAD_FINISHED", category: "fault" } });
  });
});

describe("interlace run on task threads (async functions in the CLI's own process)", () => {
  const TASK_LOST = "task1:read_value task2:read_value task1:write_value task2:write_value";

  it("instruments the scenario's modules by itself and shows the lost update, exit 1", () => {
    const { code, stdout, stderr } = interlace("run", "examples/async-counter/scenario.ts", "--schedule", TASK_LOST);

    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toMatch(/1\s+task1\s+read_value\s+examples\/async-counter\/counter\.ts:15\s+const v = await this\.get\(\);/);
    expect(stdout).toContain("final state: Counter { value: 1 }");
  });

  it("exits 0 on the serial schedule, and 2 on an unknown marker", () => {
    expect(interlace("run", "examples/async-counter/scenario.ts", "--schedule", "task1:read_value task1:write_value task2:read_value task2:write_value").code).toBe(0);
    const unknown = interlace("run", "examples/async-counter/scenario.ts", "--schedule", "task1:read_valu", "--json");
    expect(unknown.code).toBe(2);
    expect(json(unknown.stdout)).toMatchObject({ error: { code: "E_UNKNOWN_MARKER", category: "input" } });
  });
});

describe("interlace", () => {
  it("prints help and version", () => {
    expect(interlace("--help").stdout).toContain("interlace run <scenario>");
    expect(interlace("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("prints the help of one command with `help <command>` and `<command> --help`", () => {
    for (const [command, own, other] of [["run", "--schedule", "--max-attempts"], ["explore", "--max-attempts", "--schedule"], ["replay", "--times", "--schedule"]] as const) {
      const viaHelp = interlace("help", command);
      const viaFlag = interlace(command, "--help");
      expect(viaHelp.code).toBe(0);
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
      expect(viaHelp.stdout).toContain(`interlace ${command} <scenario>`);
      expect(viaHelp.stdout).toContain(own);
      expect(viaHelp.stdout).not.toContain(other);
    }
    expect(interlace("help").stdout).toBe(interlace("--help").stdout);
  });

  it("says in explore's help that it explores task, worker and process threads", () => {
    for (const text of [interlace("--help").stdout, interlace("help", "explore").stdout]) {
      expect(text).not.toContain("run task threads under many interleavings");
      expect(text).toMatch(/task, worker (or|and) process threads/);
    }
  });
});
