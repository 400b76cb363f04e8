/**
 * Drives one thread's isolate through its CDP session: collects parsed scripts, recognises the
 * ready point, arms a breakpoint per marker, turns pauses into marker hits, resumes on demand.
 * The hot path (pause at a marker → resume) costs one event and one command, nothing more.
 */
import type { CdpSession } from "../cdp/session.js";
import type { WantedLock } from "../engine/isolate-explore.js";
import type { Where } from "../engine/schedule-run.js";
import { InspectorError } from "../errors.js";
import type { MarkerResolver, ResolvedMarker, SourceMapIndex } from "../markers/index.js";
import type { TraceFilter } from "../markers/index.js";
import type { Protocol } from "../protocol/cdp.js";
import { BLOCKING_WAIT_FUNCTION, IO_GATE_FUNCTION, IO_LOCK_GATE_FUNCTION, LOCK_GATE_FUNCTION, READY_FUNCTION } from "../protocol/messages.js";
import type { ThreadTarget } from "./thread-target.js";
import { clock } from "./clock.js";
import { displayPath, sourceLine } from "../markers/display.js";
import { fileURLToPath } from "node:url";

export { displayPath };

/**
 * Where a thread stops: at markers only, also at every statement (and call) of traced code — the
 * Inspector analogue of `sys.settrace` —, or also before every operation on something outside the
 * thread's heap (`io`: a file, a connection, a child process, a native addon call; the io gates of
 * runtime/io-hooks.mjs), whatever code makes it.
 */
export type Granularity = "markers" | "statements" | "io";

/** A breakpoint the driver placed: a marker, or a statement (name ""). */
interface Stop {
  name: string;
  /** Display position, computed on the first hit. */
  where: Where | null;
  location: Protocol.Debugger.Location;
}

/** What the driver reports upward. */
export interface DriverListener {
  /** The thread is paused at its ready point with every marker armed (again at each later run). */
  ready(): void;
  /** The thread is paused at a marker (`name`) or, at statement granularity, a statement (`name` ""). */
  stopped(name: string, where: Where): void;
  /** Arming failed (an inspector error). */
  failed(error: Error): void;
  /**
   * The thread stopped at a `SharedMutex`'s lock gate, called at `where` (its innermost traced
   * frame). Returns whether that is a scheduling point; if not, the driver resumes the thread.
   */
  lockGate?(where: Where | null): boolean;
  /**
   * A database statement stopped at its lock gate (io hooks) at `where`, needing the locks
   * `wanted`. Returns whether that is a scheduling point; if not, it is the operation's io gate
   * (a stop at io granularity, else the driver resumes the thread).
   */
  ioLockGate?(where: Where, wanted: readonly WantedLock[]): boolean;
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
  /** The URL of every script the isolate parsed, traced or not (where an io gate's caller is). */
  readonly #urls = new Map<string, string>();
  /** Every `Debugger.scriptParsed` of this isolate, in order (replayed to a DevTools client by `interlace debug --inspect`). */
  readonly #parsed: Protocol.Debugger.ScriptParsedEvent[] = [];
  readonly #breakpoints = new Map<string, Stop>();
  readonly #granularity: Granularity;
  #disarmed = false;
  readonly #markerNames = new Set<string>();
  readonly #warnings: string[] = [];
  #phase: Phase = "loading";
  #paused = false;
  /** The pause reported last as a stop (marker or statement), while it lasts. */
  #stopPause: Protocol.Debugger.PausedEvent | null = null;
  /** Paused at the ready point (until resumed from it). */
  #atReady = false;
  #probe: ((params: Protocol.Debugger.PausedEvent) => void) | null = null;
  #confirm: ((asleep: boolean) => void) | null = null;

  constructor(target: ThreadTarget, resolver: MarkerResolver, filter: TraceFilter, listener: DriverListener, granularity: Granularity = "markers") {
    this.thread = target.thread;
    this.#granularity = granularity;
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
      this.#parsed.push(p);
      if (p.url) this.#urls.set(p.scriptId, p.url);
      if (p.url && this.#filter.shouldTraceFile(p.url)) {
        this.#scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? "", sourceMap: null });
      }
    });
    this.#session.on("Debugger.paused", (p) => this.#onPaused(p));
    this.#session.on("Debugger.resumed", () => {
      this.#paused = false;
      this.#stopPause = null;
    });
    await this.#session.send("Debugger.enable", {});
    this.#target.go();
  }

  /** The CDP session and the pause of this thread while it is stopped at a marker or statement, else null (`interlace debug`). */
  get stoppedAt(): { session: CdpSession; pause: Protocol.Debugger.PausedEvent } | null {
    return this.#paused && this.#stopPause !== null ? { session: this.#session, pause: this.#stopPause } : null;
  }

  /**
   * The frame a user means by "where the thread is" in `pause`: the innermost frame of the
   * thread's own (traced) code, past interlace's io gates and the package code that called them;
   * the top frame when there is none.
   */
  userFrame(pause: Protocol.Debugger.PausedEvent): Protocol.Debugger.CallFrame | undefined {
    return pause.callFrames.find((f) => this.#scripts.has(f.location.scriptId)) ?? pause.callFrames[0];
  }

  /** The CDP session of this thread's isolate (`interlace debug --inspect` relays DevTools clients to it). */
  get cdpSession(): CdpSession {
    return this.#session;
  }

  /** Every script this isolate parsed, as `Debugger.scriptParsed` reported it (`interlace debug --inspect`). */
  get parsedScripts(): readonly Protocol.Debugger.ScriptParsedEvent[] {
    return this.#parsed;
  }

  /** A generated location of this thread's scripts as an original display position with its source line, when known. */
  originalWhere(location: Protocol.Debugger.Location): Where | null {
    return this.#sourceWhere(location);
  }

  /** Resumes the paused thread (the first time, out of its ready point into its function). */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#stopPause = null;
    if (this.#atReady) {
      // Queued before the resume: no extra wait.
      this.#target.proceed();
      this.#atReady = false;
    }
    // If the target died meanwhile, its exit is reported separately.
    this.#session.post("Debugger.resume", {});
  }

  /**
   * Makes markers inert (the schedule is exhausted, or the thread used up its steps): no more pauses
   * from this thread until its next run starts.
   */
  disarm(): void {
    this.#disarmed = true;
    this.#session.post("Debugger.setBreakpointsActive", { active: false });
  }

  /**
   * Makes breakpoints active again after {@link disarm}, before the next run of a reused isolate
   * (inactive breakpoints silence the ready point's `debugger` statement too). Resolves once done.
   */
  async rearm(): Promise<void> {
    if (!this.#disarmed) return;
    this.#disarmed = false;
    await this.#session.send("Debugger.setBreakpointsActive", { active: true });
  }

  /**
   * After the runtime reported that this thread is about to block in `Atomics.wait`: pauses it and
   * resolves true once the pause shows it inside the wait (registered as a waiter, see
   * run-thread.mjs), resuming it at once so that it sleeps on. Resolves false if it stopped
   * elsewhere instead (its wait returned: it runs on, and a stop is reported as usual).
   */
  confirmBlocked(): Promise<boolean> {
    const confirmed = new Promise<boolean>((resolve) => (this.#confirm = resolve));
    this.#session.post("Debugger.pause");
    return confirmed;
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
    return {
      where: userFrame ? this.#sourceWhere(userFrame.location) : null,
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
    if (this.#confirm) {
      const confirm = this.#confirm;
      this.#confirm = null;
      const asleep = !p.hitBreakpoints?.length && p.callFrames[0]?.functionName === BLOCKING_WAIT_FUNCTION;
      confirm(asleep);
      if (asleep) {
        this.resume();
        return;
      }
    }
    if (this.#phase === "armed") {
      const id = p.hitBreakpoints?.[0];
      const stop = id === undefined ? undefined : this.#breakpoints.get(id);
      if (stop) {
        this.#stopPause = p;
        this.#listener.stopped(stop.name, (stop.where ??= this.#sourceWhere(stop.location) ?? { file: "(unknown)", line: 0, column: 0 }));
        return;
      }
      if (p.callFrames[0]?.functionName === IO_GATE_FUNCTION) {
        if (this.#granularity === "io") {
          this.#stopPause = p;
          this.#listener.stopped("", this.#ioCaller(p));
          return;
        }
      } else if (p.callFrames[0]?.functionName === IO_LOCK_GATE_FUNCTION) {
        this.#stopPause = p;
        void this.#ioLockGate(p);
        return;
      } else if (p.callFrames[0]?.functionName === LOCK_GATE_FUNCTION) {
        const caller = p.callFrames.find((f) => this.#scripts.has(f.location.scriptId));
        if (this.#listener.lockGate?.(caller ? this.#sourceWhere(caller.location) : null) === true) return;
      } else if (p.callFrames[0]?.functionName === READY_FUNCTION) {
        // The next run of a reused isolate: markers are armed already.
        this.#atReady = true;
        this.#listener.ready();
        return;
      }
    } else if (this.#phase === "loading" && p.callFrames[0]?.functionName === READY_FUNCTION) {
      this.#phase = "arming";
      this.#atReady = true;
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
    const markerStops = new Set<string>();
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
        markerStops.add(`${actualLocation.lineNumber}:${actualLocation.columnNumber ?? 0}`);
        this.#breakpoints.set(breakpointId, {
          name: marker.name,
          where: { file: displayPath(marker.file), line: marker.line, column: marker.column, text: marker.text },
          location: actualLocation,
        });
        const actual = this.#whereOf(actualLocation);
        if (actual && actual.line !== marker.line) {
          this.#warnings.push(
            `${this.#label(marker)}: marker "${marker.name}" gates line ${marker.line}, which has no statement V8 can stop at; ` +
              `it stops at line ${actual.line} instead.`,
          );
        }
      }),
    );
    if (this.#granularity === "statements") await this.#armStatements(scriptId, script, markerStops);
  }

  /**
   * A breakpoint at every statement and call V8 can stop at in traced code of the script (function
   * returns excluded), except where a marker already stops.
   */
  async #armStatements(scriptId: string, script: ScriptRecord, taken: ReadonlySet<string>): Promise<void> {
    const { locations } = await this.#session.send("Debugger.getPossibleBreakpoints", {
      start: { scriptId, lineNumber: 0, columnNumber: 0 },
    });
    const helperCall = await this.#helperCalls(scriptId, locations);
    await Promise.all(
      locations.map(async (loc) => {
        if (loc.type === "return" || taken.has(`${loc.lineNumber}:${loc.columnNumber ?? 0}`) || helperCall(loc)) return;
        const location = { scriptId, lineNumber: loc.lineNumber, columnNumber: loc.columnNumber ?? 0 };
        if (script.sourceMap) {
          const original = script.sourceMap.originalFor(location.lineNumber, location.columnNumber);
          if (!original || !this.#filter.shouldTraceFile(original.source)) return;
        }
        // V8 refuses a second breakpoint where one already is (two locations snapping together).
        const placed = await this.#session.send("Debugger.setBreakpoint", { location }).catch(() => null);
        if (placed) this.#breakpoints.set(placed.breakpointId, { name: "", where: null, location: placed.actualLocation });
      }),
    );
  }

  /**
   * Recognises the calls the access transform inserted (`__ila.g(o, k)`, and the links of its
   * chains such as `__ila.c(o, "p").w("+", v)`): calls to interlace's recorder, not steps of the
   * user's code. V8 offers a call location at the callee's name: a one-letter name after `.` on
   * a line the transform touched. (A user's own one-letter method call on such a line loses its
   * call stop; its statement still stops.)
   */
  async #helperCalls(scriptId: string, locations: readonly Protocol.Debugger.BreakLocation[]): Promise<(loc: Protocol.Debugger.BreakLocation) => boolean> {
    if (!locations.some((loc) => loc.type === "call")) return () => false;
    const { scriptSource } = await this.#session.send("Debugger.getScriptSource", { scriptId });
    if (!scriptSource.includes("__ila.")) return () => false;
    const lines = scriptSource.split("\n");
    return (loc) => {
      if (loc.type !== "call") return false;
      const line = lines[loc.lineNumber] ?? "";
      const column = loc.columnNumber ?? 0;
      return line.includes("__ila.") && line[column - 1] === "." && /^[A-Za-z]\(/.test(line.slice(column, column + 2));
    };
  }

  /** A lock gate of the io hooks: reads the locks from the gate's frame and tells the listener. */
  async #ioLockGate(p: Protocol.Debugger.PausedEvent): Promise<void> {
    const where = this.#ioCaller(p);
    let wanted: WantedLock[] = [];
    try {
      const { result } = await this.#session.send("Debugger.evaluateOnCallFrame", { callFrameId: p.callFrames[0]!.callFrameId, expression: "wanted", returnByValue: true });
      wanted = typeof result.value === "string" ? (JSON.parse(result.value) as WantedLock[]) : [];
    } catch (error) {
      this.#listener.failed(new InspectorError(`Cannot read the locks of a lock gate in thread "${this.thread}": ${String(error)}`, { cause: error }));
      return;
    }
    if (this.#listener.ioLockGate?.(where, wanted) === true) return;
    if (this.#granularity === "io") this.#listener.stopped("", where);
    else this.resume();
  }

  /**
   * Where the operation stopped at an io gate is made: the innermost frame of traced code, else of
   * any code but interlace's and Node's own (a package's), else the gate itself.
   */
  #ioCaller(p: Protocol.Debugger.PausedEvent): Where {
    const frames = p.callFrames.slice(1);
    const traced = frames.find((f) => this.#scripts.has(f.location.scriptId));
    if (traced !== undefined) return this.#sourceWhere(traced.location) ?? { file: "(unknown)", line: 0, column: 0 };
    for (const f of frames) {
      const url = this.#urls.get(f.location.scriptId) ?? "";
      if (url === "" || url.startsWith("node:") || !this.#filter.isOutsideInterlace(url)) continue;
      const file = url.startsWith("file:") ? fileURLToPath(url) : url;
      const line = f.location.lineNumber + 1;
      return { file: displayPath(file), line, column: f.location.columnNumber ?? 0, text: sourceLine(file, line) };
    }
    return { file: "(interlace io gate)", line: 0, column: 0 };
  }

  /** A generated location as a display position with its original source line. */
  #sourceWhere(location: Protocol.Debugger.Location): Where | null {
    const original = this.#originalOf(location);
    return original ? { ...original, file: displayPath(original.file), text: sourceLine(original.file, original.line) } : null;
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

  #label(marker: ResolvedMarker): string {
    return `${displayPath(marker.file)}:${marker.line}`;
  }
}
