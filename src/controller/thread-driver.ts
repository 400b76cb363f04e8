/**
 * Drives one thread's isolate through its CDP session: collects parsed scripts, recognises the
 * ready point, arms a breakpoint per marker, turns pauses into marker hits, resumes on demand.
 * The hot path (pause at a marker → resume) costs one event and one command, nothing more.
 */
import type { CdpSession } from "../cdp/session.js";
import type { Where } from "../engine/schedule-run.js";
import type { MarkerResolver, ResolvedMarker, SourceMapIndex } from "../markers/index.js";
import type { TraceFilter } from "../markers/index.js";
import type { Protocol } from "../protocol/cdp.js";
import { READY_FUNCTION, READY_PROCEED_VARIABLE } from "../protocol/messages.js";
import type { ThreadTarget } from "./thread-target.js";
import { clock } from "./clock.js";
import { displayPath, sourceLine } from "../markers/display.js";

export { displayPath };

/** What the driver reports upward. */
export interface DriverListener {
  /** The thread is paused at its ready point with every marker armed. */
  ready(): void;
  /** The thread is paused at a marker. */
  marker(marker: ResolvedMarker, where: Where): void;
  /** Arming failed (an inspector error). */
  failed(error: Error): void;
}

/** Where a probed thread was found. */
export interface ProbeResult {
  where: Where | null;
  /** The function on top of the stack, e.g. `wait` for Atomics.wait. */
  functionName: string;
  /** No pause arrived in time: the thread is inside a synchronous native call. */
  blockedInNative: boolean;
}

interface ScriptRecord {
  url: string;
  sourceMapURL: string;
  sourceMap: SourceMapIndex | null;
}

type Phase = "loading" | "arming" | "armed";

/** One thread's debugger. */
export class ThreadDriver {
  readonly thread: string;
  readonly #session: CdpSession;
  readonly #target: ThreadTarget;
  readonly #resolver: MarkerResolver;
  readonly #filter: TraceFilter;
  readonly #listener: DriverListener;
  readonly #scripts = new Map<string, ScriptRecord>();
  readonly #breakpoints = new Map<string, ResolvedMarker>();
  readonly #markerNames = new Set<string>();
  readonly #warnings: string[] = [];
  #phase: Phase = "loading";
  #paused = false;
  /** The ready-point frame, until the thread is first resumed from it. */
  #readyFrame: string | null = null;
  #started = false;
  /** Display position of each marker, computed once. */
  readonly #wheres = new Map<ResolvedMarker, Where>();
  #probe: ((params: Protocol.Debugger.PausedEvent) => void) | null = null;

  constructor(target: ThreadTarget, resolver: MarkerResolver, filter: TraceFilter, listener: DriverListener) {
    this.thread = target.thread;
    this.#target = target;
    this.#session = target.session;
    this.#resolver = resolver;
    this.#filter = filter;
    this.#listener = listener;
  }

  /** Marker names found in the sources this thread loaded (valid once ready). */
  get markerNames(): ReadonlySet<string> {
    return this.#markerNames;
  }

  /** Problems worth telling the user that did not stop the run. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /** Enables the debugger, then lets the runtime import the thread's module. */
  async start(): Promise<void> {
    this.#session.on("Debugger.scriptParsed", (p) => {
      if (p.url && this.#filter.shouldTraceFile(p.url)) {
        this.#scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? "", sourceMap: null });
      }
    });
    this.#session.on("Debugger.paused", (p) => this.#onPaused(p));
    this.#session.on("Debugger.resumed", () => {
      this.#paused = false;
    });
    await this.#session.send("Debugger.enable", {});
    this.#target.go();
  }

  /** Resumes the paused thread (the first time, out of its ready point into its function). */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#readyFrame !== null) {
      // Queued before the resume on the same channel: no extra wait.
      this.#session.post("Debugger.setVariableValue", {
        scopeNumber: 0,
        variableName: READY_PROCEED_VARIABLE,
        newValue: { value: true },
        callFrameId: this.#readyFrame,
      });
      this.#readyFrame = null;
      this.#started = true;
    }
    // If the target died meanwhile, its exit is reported separately.
    this.#session.post("Debugger.resume", {});
  }

  /** True once the thread was let out of its ready point into its function. */
  get started(): boolean {
    return this.#started;
  }

  /** Makes markers inert (the schedule is exhausted): no more pauses from this thread. */
  disarm(): void {
    this.#session.post("Debugger.setBreakpointsActive", { active: false });
  }

  /** Interrupts a running thread to learn where it is; gives up after `waitMs`. */
  async probe(waitMs: number): Promise<ProbeResult> {
    const paused = new Promise<Protocol.Debugger.PausedEvent | null>((resolve) => {
      const timer = clock.setTimeout(() => {
        this.#probe = null;
        resolve(null);
      }, waitMs);
      this.#probe = (p) => {
        clock.clearTimeout(timer);
        this.#probe = null;
        resolve(p);
      };
    });
    this.#session.post("Debugger.pause");
    const p = await paused;
    if (!p) return { where: null, functionName: "", blockedInNative: true };
    const userFrame = p.callFrames.find((f) => this.#scripts.has(f.location.scriptId)) ?? p.callFrames[0];
    const original = userFrame ? this.#originalOf(userFrame.location) : null;
    return {
      where: original ? { ...original, file: displayPath(original.file), text: sourceLine(original.file, original.line) } : null,
      functionName: userFrame?.functionName ?? "",
      blockedInNative: false,
    };
  }

  #onPaused(p: Protocol.Debugger.PausedEvent): void {
    this.#paused = true;
    if (this.#probe) {
      this.#probe(p);
      return;
    }
    if (this.#phase === "armed") {
      const id = p.hitBreakpoints?.[0];
      const marker = id === undefined ? undefined : this.#breakpoints.get(id);
      if (marker) {
        this.#listener.marker(marker, this.#displayWhere(marker));
        return;
      }
    } else if (this.#phase === "loading" && p.callFrames[0]?.functionName === READY_FUNCTION) {
      this.#phase = "arming";
      this.#readyFrame = p.callFrames[0].callFrameId;
      this.#arm().then(
        () => {
          this.#phase = "armed";
          this.#listener.ready();
        },
        (error: Error) => this.#listener.failed(error),
      );
      return;
    }
    // Not a scheduling point (a `debugger` statement in user code, a break on start): go on.
    this.resume();
  }

  async #arm(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const [scriptId, script] of this.#scripts) {
      pending.push(this.#armScript(scriptId, script));
    }
    await Promise.all(pending);
  }

  async #armScript(scriptId: string, script: ScriptRecord): Promise<void> {
    const resolved = await this.#resolver.resolve({ url: script.url, sourceMapURL: script.sourceMapURL });
    if (!resolved) return;
    script.sourceMap = resolved.sourceMap;
    this.#warnings.push(...resolved.diagnostics);
    const placed = new Map<string, ResolvedMarker>();
    await Promise.all(
      resolved.markers.map(async (marker) => {
        this.#markerNames.add(marker.name);
        const location = { scriptId, lineNumber: marker.generated.line0, columnNumber: marker.generated.column0 };
        const key = `${location.lineNumber}:${location.columnNumber}`;
        const twin = placed.get(key);
        if (twin) {
          this.#warnings.push(`${this.#label(marker)}: markers "${twin.name}" and "${marker.name}" gate the same statement; "${twin.name}" is used.`);
          return;
        }
        placed.set(key, marker);
        const { breakpointId, actualLocation } = await this.#session.send("Debugger.setBreakpoint", { location });
        this.#breakpoints.set(breakpointId, marker);
        const actual = this.#whereOf(actualLocation);
        if (actual && actual.line !== marker.line) {
          this.#warnings.push(
            `${this.#label(marker)}: marker "${marker.name}" gates line ${marker.line}, which has no statement V8 can stop at; ` +
              `it stops at line ${actual.line} instead.`,
          );
        }
      }),
    );
  }

  /** Maps a generated location to an original position (absolute file path or URL). */
  #originalOf(location: Protocol.Debugger.Location): Where | null {
    const script = this.#scripts.get(location.scriptId);
    if (!script) return null;
    const column = location.columnNumber ?? 0;
    if (script.sourceMap) {
      const original = script.sourceMap.originalFor(location.lineNumber, column);
      if (original) return { file: original.source, line: original.line, column: original.column };
    }
    return { file: script.url, line: location.lineNumber + 1, column };
  }

  /** Maps a generated location to an original position for display. */
  #whereOf(location: Protocol.Debugger.Location): Where | null {
    const original = this.#originalOf(location);
    return original ? { ...original, file: displayPath(original.file) } : null;
  }

  #displayWhere(marker: ResolvedMarker): Where {
    let where = this.#wheres.get(marker);
    if (!where) {
      where = { file: displayPath(marker.file), line: marker.line, column: marker.column, text: marker.text };
      this.#wheres.set(marker, where);
    }
    return where;
  }

  #label(marker: ResolvedMarker): string {
    return `${displayPath(marker.file)}:${marker.line}`;
  }
}
