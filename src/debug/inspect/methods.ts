/**
 * What `interlace debug --inspect` does with each CDP method a DevTools client sends (pure: the
 * table and its messages). interlace keeps the schedule: a client may look at a paused thread as
 * much as it likes, and its resume or step is one step of that thread; whatever else would run,
 * pause or change the thread is refused with a message that says so.
 *
 * @module
 */

/** How the relay treats a method. */
export type MethodRule =
  /** Sent on the thread's CDP session as it is (reads only). */
  | { kind: "forward" }
  /** Sent with `throwOnSideEffect: true` (V8 refuses any evaluation that could write). */
  | { kind: "evaluate" }
  /** Resume and the three steps: the thread takes one step of the schedule. */
  | { kind: "step" }
  /** Answered `{}` without reaching the thread (interlace keeps that setting itself). */
  | { kind: "absorb" }
  /** Handled by the relay itself (enable: the replay of scripts and of the pause). */
  | { kind: "local" }
  /** Answered with a CDP error saying why. */
  | { kind: "refuse"; message: string }
  /** Not a method of a Node.js target (Page, Network, …): "wasn't found", as Node answers. */
  | { kind: "unknown" };

/** The message of a refused schedule-changing method. */
export const SCHEDULE_REFUSAL = "interlace controls this thread's schedule: use the debug prompt's step/run commands (or the client's resume/step, which take one step of this thread)";

const PROFILING_REFUSAL = "profiling is off under interlace debug: samples and heap snapshots would run in a thread whose schedule interlace controls";

/** CDP error code for a refused method (the inspector's own "server error"). */
export const REFUSED_CODE = -32000;
/** CDP error code for a method the relay does not know. */
export const UNKNOWN_CODE = -32601;

const FORWARD = new Set([
  "Debugger.getScriptSource",
  "Debugger.getPossibleBreakpoints",
  "Debugger.searchInContent",
  "Debugger.getStackTrace",
  "Debugger.disassembleWasmModule",
  "Debugger.nextWasmDisassemblyChunk",
  "Runtime.getProperties",
  "Runtime.releaseObject",
  "Runtime.releaseObjectGroup",
  "Runtime.getHeapUsage",
  "Runtime.getIsolateId",
  "Runtime.globalLexicalScopeNames",
  "Runtime.getExceptionDetails",
  "Schema.getDomains",
]);

const EVALUATE = new Set(["Runtime.evaluate", "Debugger.evaluateOnCallFrame", "Runtime.callFunctionOn"]);

const STEP = new Set(["Debugger.resume", "Debugger.stepOver", "Debugger.stepInto", "Debugger.stepOut"]);

const LOCAL = new Set(["Debugger.enable", "Runtime.enable"]);

const ABSORB = new Set([
  "Runtime.runIfWaitingForDebugger",
  "Debugger.disable",
  "Runtime.disable",
  "Debugger.setAsyncCallStackDepth",
  "Runtime.setAsyncCallStackDepth",
  "Debugger.setBlackboxPatterns",
  "Debugger.setBlackboxedRanges",
  "Debugger.setBlackboxExecutionContexts",
  "Runtime.setCustomObjectFormatterEnabled",
  "Runtime.setMaxCallStackSizeToCapture",
  "Runtime.discardConsoleEntries",
  "Profiler.enable",
  "Profiler.disable",
  "HeapProfiler.enable",
  "HeapProfiler.disable",
  "NodeRuntime.enable",
  "NodeRuntime.disable",
  "NodeRuntime.notifyWhenWaitingForDisconnect",
  "NodeWorker.enable",
  "NodeWorker.disable",
]);

/**
 * Methods refused because they would pause, run or change the thread behind interlace's back. Also
 * refused: any other method of the Debugger and Runtime domains, `Debugger.setPauseOnExceptions`
 * other than "none", `Debugger.setBreakpointsActive` false, `Debugger.setSkipAllPauses` true,
 * `Runtime.compileScript` with `persistScript`.
 */
export const REFUSED_METHODS: readonly string[] = [
  "Debugger.setBreakpoint",
  "Debugger.setBreakpointByUrl",
  "Debugger.setBreakpointOnFunctionCall",
  "Debugger.setInstrumentationBreakpoint",
  "Debugger.removeBreakpoint",
  "Debugger.continueToLocation",
  "Debugger.pause",
  "Debugger.pauseOnAsyncCall",
  "Debugger.setVariableValue",
  "Debugger.setReturnValue",
  "Debugger.setScriptSource",
  "Debugger.restartFrame",
  "Runtime.runScript",
  "Runtime.awaitPromise",
  "Runtime.addBinding",
  "Runtime.removeBinding",
  "Runtime.terminateExecution",
  "Runtime.queryObjects",
];

/** The rule for `method` with its `params`. */
export function ruleOf(method: string, params: Record<string, unknown>): MethodRule {
  if (FORWARD.has(method)) return { kind: "forward" };
  if (EVALUATE.has(method)) return { kind: "evaluate" };
  if (STEP.has(method)) return { kind: "step" };
  if (LOCAL.has(method)) return { kind: "local" };
  if (ABSORB.has(method)) return { kind: "absorb" };
  switch (method) {
    case "Debugger.setPauseOnExceptions":
      return params["state"] === "none" ? { kind: "absorb" } : { kind: "refuse", message: `${SCHEDULE_REFUSAL}. Pausing on exceptions would stop the thread where interlace did not decide to.` };
    case "Debugger.setBreakpointsActive":
      return params["active"] === false ? { kind: "refuse", message: `${SCHEDULE_REFUSAL}. interlace's own breakpoints are its scheduling points.` } : { kind: "absorb" };
    case "Debugger.setSkipAllPauses":
      return params["skip"] === true ? { kind: "refuse", message: `${SCHEDULE_REFUSAL}. interlace's own pauses are its scheduling points.` } : { kind: "absorb" };
    case "Runtime.compileScript":
      return params["persistScript"] === true ? { kind: "refuse", message: `${SCHEDULE_REFUSAL}. A persisted script could be run later.` } : { kind: "forward" };
  }
  if (method.startsWith("Profiler.") || method.startsWith("HeapProfiler.")) return { kind: "refuse", message: PROFILING_REFUSAL };
  if (method.startsWith("Debugger.") || method.startsWith("Runtime.")) {
    return { kind: "refuse", message: `${SCHEDULE_REFUSAL}. ${method} would change what the thread runs or when.` };
  }
  return { kind: "unknown" };
}
