// defineScenario rejects keys it does not know, with a typed error listing the known ones.
import { describe, expect, it } from "vitest";
import { ScenarioError, UnknownScenarioKeyError } from "../../../src/errors.js";
import { defineScenario, SCENARIO_KEYS, thread } from "../../../src/scenario.js";

const threads = { a: thread.task(async () => {}) };

function rejection(definition: object): UnknownScenarioKeyError {
  try {
    defineScenario(definition as never);
  } catch (error) {
    expect(error).toBeInstanceOf(UnknownScenarioKeyError);
    return error as UnknownScenarioKeyError;
  }
  throw new Error("defineScenario did not throw");
}

describe("defineScenario", () => {
  it("rejects an unknown key with E_SCENARIO_INVALID, suggesting the closest known key", () => {
    const error = rejection({ threads, invariants: () => true });
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.code).toBe("E_SCENARIO_INVALID");
    expect(error.category).toBe("input");
    expect(error.key).toBe("invariants");
    expect(error.known).toEqual(["setup", "threads", "invariant", "teardown"]);
    expect(error.message).toBe('Scenario key "invariants" is not one defineScenario knows (did you mean "invariant"?). Known keys: setup, threads, invariant, teardown.');
  });

  it("rejects an explore option given in the scenario, without a far-fetched suggestion", () => {
    const error = rejection({ threads, strategy: "dpor" });
    expect(error.key).toBe("strategy");
    expect(error.message).not.toContain("did you mean");
    expect(error.message).toContain("Known keys: setup, threads, invariant, teardown.");
  });

  it("accepts every known key", () => {
    const scenario = defineScenario({ setup: () => 1, threads, invariant: () => true, teardown: () => {} });
    expect(Object.keys(scenario).sort()).toEqual([...SCENARIO_KEYS].sort());
  });
});
