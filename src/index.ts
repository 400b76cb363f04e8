/**
 * interlace: deterministic concurrency testing for Node.js.
 * @packageDocumentation
 */
export { defineScenario, isScenario, thread } from "./scenario.js";
export type { Scenario, ScenarioDefinition, ThreadSpec, IsolateThreadSpec, TaskThreadSpec, ProcessOptions } from "./scenario.js";
export { point } from "./tasks/dispatcher.js";
export { Schedule, Step } from "./engine/schedule.js";
export type { StepLike } from "./engine/schedule.js";
export type { TraceEntry, Where } from "./engine/schedule-run.js";
export { TraceExecutor } from "./explore/trace-executor.js";
export type { RunResult, TraceExecutorOptions, WaitHooks } from "./explore/trace-executor.js";
export { explore, replay, scenarioExploreOptions, AccessesNotRecordedError, PropertyViolatedError, ReplayDivergedError } from "./explore/explore.js";
export type { ExploreOptions, ExploreProgress, ExploreResult } from "./explore/explore.js";
export { parseCounterexample } from "./engine/counterexample.js";
export type { Counterexample, Failure, FailureKind, SourceDigest } from "./engine/counterexample.js";
export { SourceChangedError } from "./tasks/source-hash.js";
export { STRATEGY_NAMES, SEARCH_ORDERS, type StrategyName, type SearchOrder } from "./strategies/index.js";
export { Mutex } from "./sync/mutex.js";
export { TraceFilter } from "./markers/index.js";
export type { TraceFilterOptions } from "./markers/index.js";
export * from "./errors.js";
export { SCHEDULE_FORMAT_VERSION } from "./protocol/schedule-format.js";
export type { ScheduleJSON, StepJSON } from "./protocol/schedule-format.js";
