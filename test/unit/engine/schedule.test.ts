import { describe, expect, it } from "vitest";
import { Schedule, Step } from "../../../src/engine/schedule.js";
import { ScheduleSyntaxError } from "../../../src/errors.js";

describe("Schedule", () => {
  it("parses the short form and prints it back identically", () => {
    const text = "t1:read_balance t2:read_balance t1:write_balance t2:write_balance";
    const schedule = Schedule.parse(text);
    expect(schedule.steps.map((s) => [s.thread, s.marker])).toEqual([
      ["t1", "read_balance"],
      ["t2", "read_balance"],
      ["t1", "write_balance"],
      ["t2", "write_balance"],
    ]);
    expect(schedule.toString()).toBe(text);
    expect(Schedule.parse(schedule.toString())).toEqual(schedule);
  });

  it("accepts commas and newlines as separators", () => {
    expect(Schedule.parse("a:x,b:y\n  a:z").toString()).toBe("a:x b:y a:z");
  });

  it("round-trips through JSON", () => {
    const schedule = new Schedule([new Step("w-1", "m.a"), "w_2:m-b", ["$t", "x"]]);
    const json = JSON.parse(JSON.stringify(schedule)) as unknown;
    expect(json).toEqual({ version: 1, steps: [{ thread: "w-1", marker: "m.a" }, { thread: "w_2", marker: "m-b" }, { thread: "$t", marker: "x" }] });
    expect(Schedule.fromJSON(json).toString()).toBe(schedule.toString());
  });

  it("reads a file's text as JSON, a bare array, or the short form with # comments", () => {
    expect(Schedule.fromText('{"version":1,"steps":[{"thread":"t1","marker":"a"}]}').toString()).toBe("t1:a");
    expect(Schedule.fromText('["t1:a", {"thread":"t2","marker":"b"}]').toString()).toBe("t1:a t2:b");
    expect(Schedule.fromText("# lost update\nt1:a t2:a # both read\nt1:b").toString()).toBe("t1:a t2:a t1:b");
  });

  it.each([
    ["", /Empty schedule/],
    ["t1 read", /Malformed step "t1"/],
    ["t1:", /Malformed step "t1:"/],
    [":read", /Malformed step ":read"/],
    ["1t:read", /Invalid thread name "1t"/],
    ["t1:read!", /Invalid marker name "read!"/],
  ])("rejects %j with E_SCHEDULE_SYNTAX", (text, message) => {
    const attempt = () => Schedule.parse(text);
    expect(attempt).toThrow(ScheduleSyntaxError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as ScheduleSyntaxError).code).toBe("E_SCHEDULE_SYNTAX");
      expect((error as ScheduleSyntaxError).category).toBe("input");
    }
  });

  it("rejects malformed JSON and unknown versions", () => {
    expect(() => Schedule.fromText("{nope")).toThrow(/not valid JSON/);
    expect(() => Schedule.fromJSON({ version: 2, steps: [] })).toThrow(/version 2/);
    expect(() => Schedule.fromJSON({ version: 1, steps: [42] })).toThrow(/step 1 must be/);
  });

  it("lists threads in order of first appearance", () => {
    expect(Schedule.parse("b:x a:x b:y c:z").threads()).toEqual(["b", "a", "c"]);
  });
});
