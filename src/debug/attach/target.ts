/**
 * One external node process under `interlace attach`, seen through its inspector WebSocket
 * (chrome-remote-interface): its scripts' markers, a breakpoint on each, and its pauses turned
 * into {@link Stop}s the caller takes one at a time.
 *
 * Breakpoints are set before any user code runs: an instrumentation breakpoint
 * (`beforeScriptExecution`) pauses the process before each script executes, the markers of every
 * script parsed so far are resolved (MarkerResolver: the original sources through their source
 * maps), their breakpoints set, and only then is the script let run.
 *
 * interlace never ends the process: {@link AttachedTarget.detach} removes the breakpoints,
 * resumes and closes the socket, and the process goes on by itself.
 *
 * @module
 */
import CDP from "chrome-remote-interface";
import { AttachUnreachableError, DebugCommandError, TimeoutError } from "../../errors.js";
import { MarkerResolver, TraceFilter, type ResolvedMarker, type ScriptMarkers } from "../../markers/index.js";
import { displayPath, sourceLine } from "../../markers/display.js";
import type { Protocol } from "../../protocol/cdp.js";
import { evaluationText } from "../remote-value.js";

/** Where the process is held. */
export interface Stop {
  /** `start`: before its first traced script runs; `marker`: at a marker's breakpoint; `statement`: after a step. */
  kind: "start" | "marker" | "statement";
  marker: ResolvedMarker | null;
  /** Original position, 1-based line, 0-based column; file as shown to users. */
  file: string;
  line: number;
  column: number;
  text: string;
}

/** What waiting for the next stop gives: a stop, or the end of the process (or of the connection). */
export type Arrival = Stop | "ended";

/** Options of {@link AttachedTarget.connect}. */
export interface AttachOptions {
  tracePackages: readonly string[];
  /** Emit a `start` stop before the first traced script runs (the REPL); otherwise it runs on. */
  holdAtStart: boolean;
}

interface Script {
  url: string;
  resolved: Promise<ScriptMarkers | null>;
  markers: ScriptMarkers | null;
  armed: boolean;
}

type Client = CDP.Client;

/** The most `stepOut`s a step takes to leave code interlace does not trace (node internals). */
const MAX_STEP_OUTS = 20;

export class AttachedTarget {
  readonly #client: Client;
  readonly #resolver: MarkerResolver;
  readonly #filter: TraceFilter;
  readonly #holdAtStart: boolean;
  readonly #scripts = new Map<string, Script>();
  readonly #breakpoints = new Map<string, ResolvedMarker>();
  /** URL of every script, traced or not (for `where`). */
  readonly #urls = new Map<string, string>();
  #instrumentation: string | null = null;
  #events: Promise<void> = Promise.resolve();
  #paused: Protocol.Debugger.PausedEvent | null = null;
  #started = false;
  #stepping = 0;
  #contexts = new Set<number>();
  #ended = false;
  #detached = false;
  readonly #queue: Arrival[] = [];
  #waiter: ((arrival: Arrival) => void) | null = null;

  private constructor(client: Client, options: AttachOptions) {
    this.#client = client;
    this.#filter = new TraceFilter({ tracePackages: options.tracePackages });
    this.#resolver = new MarkerResolver(this.#filter);
    this.#holdAtStart = options.holdAtStart;
  }

  /** Connects, enables Debugger and Runtime, arms the instrumentation breakpoint, lets a waiting process start. */
  static async connect(url: string, options: AttachOptions): Promise<AttachedTarget> {
    let client: Client;
    try {
      client = await CDP({ target: url, local: true });
    } catch (error) {
      throw new AttachUnreachableError(url, error instanceof Error ? error.message : String(error));
    }
    const target = new AttachedTarget(client, options);
    await target.#start();
    return target;
  }

  async #start(): Promise<void> {
    const client = this.#client;
    client.on("disconnect", () => this.#end());
    client.on("event", (message: { method: string; params: unknown }) => {
      this.#events = this.#events.then(() => this.#onEvent(message.method, message.params)).catch((error: unknown) => {
        if (!this.#detached) process.stderr.write(`interlace attach: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
    await client.Runtime.enable();
    await client.Debugger.enable({});
    const { breakpointId } = await client.Debugger.setInstrumentationBreakpoint({ instrumentation: "beforeScriptExecution" });
    this.#instrumentation = breakpointId;
    await client.Runtime.runIfWaitingForDebugger();
  }

  /** Every marker name found in the scripts resolved so far, sorted. */
  async knownMarkers(): Promise<string[]> {
    await Promise.all([...this.#scripts.values()].map((s) => s.resolved));
    const names = new Set<string>();
    for (const script of this.#scripts.values()) for (const m of script.markers?.markers ?? []) names.add(m.name);
    return [...names].sort();
  }

  /** Diagnostics of the marker scan (unreadable sources, markers with no code). */
  diagnostics(): string[] {
    return [...this.#scripts.values()].flatMap((s) => s.markers?.diagnostics ?? []);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The stop the process is held at, if any. */
  get paused(): boolean {
    return this.#paused !== null;
  }

  /** The next stop (or the end); rejects with `E_TIMEOUT` after `timeoutMs` (the stop, if it comes later, is kept). */
  next(timeoutMs: number, waitingFor: string): Promise<Arrival> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve("ended");
    return new Promise<Arrival>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new TimeoutError(`the process ran ${timeoutMs} ms without reaching ${waitingFor} (--timeout ${timeoutMs}); it is still running`));
      }, timeoutMs);
      this.#waiter = (arrival) => {
        clearTimeout(timer);
        this.#waiter = null;
        resolve(arrival);
      };
    });
  }

  /** Lets the held process run (to its next marker). */
  async resume(): Promise<void> {
    if (this.#paused === null) return;
    this.#paused = null;
    await this.#client.Debugger.resume({});
  }

  /** One statement: `stepInto` from the start, `stepOver` elsewhere; leaves untraced code by stepping out. */
  async step(): Promise<void> {
    const paused = this.#paused;
    if (paused === null) throw new DebugCommandError("E_DEBUG_NOT_PAUSED", "the process is not stopped (it ended or is running)");
    this.#paused = null;
    this.#stepping = 1;
    if (paused.reason === "instrumentation") await this.#client.Debugger.stepInto({});
    else await this.#client.Debugger.stepOver({});
  }

  /** Evaluates in the top frame with `throwOnSideEffect`. */
  async print(expression: string): Promise<string> {
    const frame = this.#topFrame();
    const { result, exceptionDetails } = await this.#client.Debugger.evaluateOnCallFrame({
      callFrameId: frame.callFrameId,
      expression,
      throwOnSideEffect: true,
      generatePreview: true,
      silent: true,
    });
    return evaluationText(expression, result, exceptionDetails);
  }

  /** The source-mapped stack, one `function  file:line:column` a frame. */
  where(): string[] {
    const paused = this.#paused;
    if (paused === null) throw new DebugCommandError("E_DEBUG_NOT_PAUSED", "the process is not stopped (it ended or is running)");
    if (paused.callFrames.length === 0) return ["(before the first script runs)"];
    return paused.callFrames.map((frame) => {
      const at = this.#original(frame.location);
      return `${frame.functionName || "(top level)"}  ${at.file}:${at.line}:${at.column + 1}`;
    });
  }

  /** Removes every breakpoint, resumes, closes the socket. Never throws; the process runs on. */
  async detach(): Promise<void> {
    if (this.#detached) return;
    this.#detached = true;
    const client = this.#client;
    if (!this.#ended) {
      const ids = [...this.#breakpoints.keys(), ...(this.#instrumentation === null ? [] : [this.#instrumentation])];
      await Promise.allSettled(ids.map((breakpointId) => client.Debugger.removeBreakpoint({ breakpointId })));
      await Promise.allSettled([client.Debugger.resume({}), client.Runtime.runIfWaitingForDebugger()]);
      await Promise.allSettled([client.Debugger.disable()]);
    }
    this.#paused = null;
    try {
      await client.close();
    } catch {
      // Already closed: the process ended.
    }
  }

  #topFrame(): Protocol.Debugger.CallFrame {
    const frame = this.#paused?.callFrames[0];
    if (frame === undefined) {
      throw new DebugCommandError("E_DEBUG_NOT_PAUSED", this.#paused === null ? "the process is not stopped (it ended or is running)" : "no frame yet: the first script has not started (step or run first)");
    }
    return frame;
  }

  async #onEvent(method: string, params: unknown): Promise<void> {
    if (this.#detached) return;
    switch (method) {
      case "Debugger.scriptParsed":
        this.#onScript(params as Protocol.Debugger.ScriptParsedEvent);
        return;
      case "Debugger.paused":
        await this.#onPaused(params as Protocol.Debugger.PausedEvent);
        return;
      case "Runtime.executionContextCreated":
        this.#contexts.add((params as Protocol.Runtime.ExecutionContextCreatedEvent).context.id);
        return;
      case "Runtime.executionContextDestroyed":
        this.#contexts.delete((params as Protocol.Runtime.ExecutionContextDestroyedEvent).executionContextId);
        if (this.#contexts.size === 0) this.#end();
        return;
      default:
        return;
    }
  }

  #onScript(event: Protocol.Debugger.ScriptParsedEvent): void {
    this.#urls.set(event.scriptId, event.url);
    if (!this.#filter.shouldTraceFile(event.url)) return;
    const script: Script = { url: event.url, resolved: Promise.resolve(null), markers: null, armed: false };
    script.resolved = this.#resolver
      .resolve({ url: event.url, ...(event.sourceMapURL ? { sourceMapURL: event.sourceMapURL } : {}) })
      .then((markers) => (script.markers = markers));
    this.#scripts.set(event.scriptId, script);
  }

  async #onPaused(event: Protocol.Debugger.PausedEvent): Promise<void> {
    if (event.reason === "instrumentation") {
      await this.#arm();
      const scriptId = (event.data as { scriptId?: string } | undefined)?.scriptId ?? "";
      if (!this.#started && this.#scripts.has(scriptId)) {
        this.#started = true;
        if (this.#holdAtStart) {
          const url = this.#scripts.get(scriptId)!.url;
          this.#hold(event, { kind: "start", marker: null, file: displayPath(url), line: 1, column: 0, text: "" });
          return;
        }
      }
      await this.#client.Debugger.resume({});
      return;
    }
    const marker = (event.hitBreakpoints ?? []).map((id) => this.#breakpoints.get(id)).find((m) => m !== undefined);
    if (marker !== undefined) {
      this.#stepping = 0;
      this.#hold(event, { kind: "marker", marker, file: displayPath(marker.file), line: marker.line, column: marker.column, text: marker.text });
      return;
    }
    const top = event.callFrames[0];
    if (this.#stepping > 0 && top !== undefined) {
      if (!this.#scriptTraced(top.location.scriptId) && this.#stepping <= MAX_STEP_OUTS) {
        this.#stepping += 1;
        await this.#client.Debugger.stepOut();
        return;
      }
      this.#stepping = 0;
      const at = this.#original(top.location);
      this.#hold(event, { kind: "statement", marker: null, file: at.file, line: at.line, column: at.column, text: at.text });
      return;
    }
    // A `debugger;` statement, an exception pause of another client's making: not interlace's stop.
    await this.#client.Debugger.resume({});
  }

  #scriptTraced(scriptId: string): boolean {
    return this.#scripts.has(scriptId);
  }

  /** Resolves the scripts parsed so far and sets a breakpoint at each of their markers. */
  async #arm(): Promise<void> {
    for (const [scriptId, script] of this.#scripts) {
      if (script.armed) continue;
      script.armed = true;
      const markers = await script.resolved;
      for (const marker of markers?.markers ?? []) {
        try {
          const { breakpointId } = await this.#client.Debugger.setBreakpoint({
            location: { scriptId, lineNumber: marker.generated.line0, columnNumber: marker.generated.column0 },
          });
          this.#breakpoints.set(breakpointId, marker);
        } catch {
          // Two markers gating one position: the first one's breakpoint serves.
        }
      }
    }
  }

  #original(location: Protocol.Debugger.Location): { file: string; line: number; column: number; text: string } {
    const script = this.#scripts.get(location.scriptId);
    const column0 = location.columnNumber ?? 0;
    const mapped = script?.markers?.sourceMap?.originalFor(location.lineNumber, column0) ?? null;
    if (mapped !== null) return { file: displayPath(mapped.source), line: mapped.line, column: mapped.column, text: sourceLine(mapped.source, mapped.line) ?? "" };
    const url = script?.url ?? this.#urls.get(location.scriptId) ?? "";
    const line = location.lineNumber + 1;
    return { file: url === "" ? `<script ${location.scriptId}>` : displayPath(url), line, column: column0, text: url === "" ? "" : (sourceLine(url, line) ?? "") };
  }

  #hold(event: Protocol.Debugger.PausedEvent, stop: Stop): void {
    this.#paused = event;
    this.#deliver(stop);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#paused = null;
    this.#deliver("ended");
  }

  #deliver(arrival: Arrival): void {
    if (this.#waiter !== null) this.#waiter(arrival);
    else this.#queue.push(arrival);
  }
}
