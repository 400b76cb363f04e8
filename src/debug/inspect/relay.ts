/**
 * One DevTools client attached to one thread under `interlace debug --inspect`: its CDP messages
 * go to the controller's own session of that thread's isolate, by the rules of `methods.ts`.
 *
 * The client never sees the controller's pauses as they happen (a step crosses helper pauses, lock
 * gates, probes): it sees the pause the session holds the thread at. On `Debugger.enable` the relay
 * replays the isolate's `Debugger.scriptParsed` events and that pause; after every move of the
 * session (the prompt's commands or a client's resume) it sends `Debugger.resumed` and the new
 * `Debugger.paused` when the thread's pause changed. The pause is reported with `reason: "other"`
 * and no `hitBreakpoints`: interlace's breakpoints are scheduling points, not the user's. Scripts
 * reach the client with their source maps inlined and completed from disk (`source-maps.ts`).
 *
 * @module
 */
import type { CdpSession } from "../../cdp/session.js";
import type { InspectTarget } from "../driver.js";
import type { Protocol } from "../../protocol/cdp.js";
import type { SessionView } from "../session.js";
import { REFUSED_CODE, ruleOf, UNKNOWN_CODE } from "./methods.js";
import { clientScript } from "./source-maps.js";

/** What the relay needs of the debug session. */
export interface InspectHost {
  view(): SessionView;
  threadDriver(thread: string): InspectTarget | null;
  serial<T>(command: () => Promise<T>): Promise<T>;
  stepThread(thread: string): Promise<void>;
}

/** The client's end of the connection. */
export interface ClientSocket {
  send(text: string): void;
}

/** Options of a relay. */
export interface RelayOptions {
  /** Let evaluations write (no forced `throwOnSideEffect`). Default false. */
  allowSideEffects?: boolean;
  /** A line for the user (stderr): a client's step, a step that failed, a refused method. */
  log(line: string): void;
  /** Every request of the client and the relay's answer, one line each (`INTERLACE_INSPECT_LOG=1`). */
  trace?: (line: string) => void;
}

interface CdpRequest {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

type Listen = (event: string, handler: (params: unknown) => void) => () => void;

/** Events of the thread's session a client sees, by the domain it enabled. */
const DEBUGGER_EVENTS = ["Debugger.scriptParsed", "Debugger.scriptFailedToParse"];
const RUNTIME_EVENTS = ["Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Runtime.exceptionRevoked", "Runtime.executionContextCreated", "Runtime.executionContextDestroyed", "Runtime.executionContextsCleared"];

/** The execution contexts of a session whose Runtime domain a client enabled (once per session). */
interface Contexts {
  ready: Promise<void>;
  live: Map<number, Protocol.Runtime.ExecutionContextDescription>;
}
const contextsOf = new WeakMap<CdpSession, Contexts>();

function listen(session: CdpSession): Listen {
  return session.on.bind(session) as unknown as Listen;
}

function runtimeContexts(session: CdpSession): Contexts {
  let contexts = contextsOf.get(session);
  if (contexts !== undefined) return contexts;
  const live = new Map<number, Protocol.Runtime.ExecutionContextDescription>();
  const on = listen(session);
  on("Runtime.executionContextCreated", (p) => {
    const { context } = p as Protocol.Runtime.ExecutionContextCreatedEvent;
    live.set(context.id, context);
  });
  on("Runtime.executionContextDestroyed", (p) => live.delete((p as Protocol.Runtime.ExecutionContextDestroyedEvent).executionContextId));
  on("Runtime.executionContextsCleared", () => live.clear());
  // Runtime.enable reports the existing contexts, then answers; only console and exception events follow.
  contexts = { ready: session.send("Runtime.enable").then(() => undefined), live };
  contextsOf.set(session, contexts);
  return contexts;
}

function isSideEffectRefusal(details: Protocol.Runtime.ExceptionDetails | undefined): boolean {
  const description = details?.exception?.description ?? details?.text ?? "";
  return /Possible side-effect in debug-evaluate/.test(description);
}

/** A CDP session error as the client reads it (without interlace's own `thread "t1": X failed:` prefix). */
function cdpMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const at = text.indexOf(" failed: ");
  return at < 0 ? text : text.slice(at + " failed: ".length);
}

/** A client attached to one thread. */
export class ThreadRelay {
  readonly thread: string;
  readonly #host: InspectHost;
  readonly #socket: ClientSocket;
  readonly #options: RelayOptions;
  #debugger = false;
  #runtime = false;
  #closed = false;
  #driver: InspectTarget | null = null;
  #unsubscribe: (() => void)[] = [];
  /** The pause last reported to the client (null: reported running, or nothing reported). */
  #sentPause: Protocol.Debugger.PausedEvent | null = null;
  readonly #objectGroups = new Set<string>();

  constructor(host: InspectHost, thread: string, socket: ClientSocket, options: RelayOptions) {
    this.thread = thread;
    this.#host = host;
    this.#socket = socket;
    this.#options = options;
    this.#bind();
  }

  /** A message from the client. */
  receive(text: string): void {
    let request: CdpRequest;
    try {
      request = JSON.parse(text) as CdpRequest;
    } catch {
      return;
    }
    if (typeof request.id !== "number" || typeof request.method !== "string") return;
    const trace = this.#options.trace;
    const rule = ruleOf(request.method, request.params ?? {}).kind;
    trace?.(`interlace: cdp ${this.thread} ← #${request.id} ${request.method}`);
    this.#handle(request).then(
      (result) => {
        trace?.(`interlace: cdp ${this.thread} → #${request.id} ${request.method} ${rule}: ok`);
        this.#send({ id: request.id, result });
      },
      (error: unknown) => {
        const coded = error as { cdpCode?: number };
        const code = coded.cdpCode ?? REFUSED_CODE;
        trace?.(`interlace: cdp ${this.thread} → #${request.id} ${request.method} ${rule}: error ${code} ${cdpMessage(error)}`);
        this.#send({ id: request.id, error: { code, message: cdpMessage(error) } });
      },
    );
  }

  /** The session moved: follow a relaunched isolate, report the thread's new pause. */
  moved(): void {
    if (this.#closed) return;
    this.#bind();
    this.#syncPause();
  }

  /** The client left: stop listening, release what its evaluations kept alive. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#driver?.forget?.();
    const session = this.#session();
    for (const objectGroup of this.#objectGroups) session?.post("Runtime.releaseObjectGroup", { objectGroup });
  }

  async #handle(request: CdpRequest): Promise<unknown> {
    const { method } = request;
    const params = request.params ?? {};
    const rule = ruleOf(method, params);
    switch (rule.kind) {
      case "absorb":
        return {};
      case "refuse":
        // Said on stderr too: a frontend shows a refused breakpoint as no breakpoint, without the reason.
        this.#options.log(`interlace: DevTools client of ${this.thread}: ${method} refused (interlace controls this thread's schedule)`);
        throw new Error(rule.message);
      case "unknown":
        throw Object.assign(new Error(`'${method}' wasn't found`), { cdpCode: UNKNOWN_CODE });
      case "step":
        return this.#step();
      case "local":
        return method === "Debugger.enable" ? this.#enableDebugger() : this.#enableRuntime();
      case "forward":
        return this.#forward(method, params);
      case "evaluate":
        return this.#evaluate(method, params);
    }
  }

  #session(): CdpSession | null {
    return this.#driver?.cdpSession ?? null;
  }

  #need(): CdpSession {
    const session = this.#session();
    if (session === null || session.closed) throw new Error(`thread "${this.thread}" has no live isolate right now`);
    return session;
  }

  async #forward(method: string, params: Record<string, unknown>): Promise<unknown> {
    const session = this.#need();
    if (typeof params["objectGroup"] === "string") this.#objectGroups.add(params["objectGroup"]);
    return (session.send as unknown as (m: string, p: unknown) => Promise<unknown>).call(session, method, params);
  }

  async #evaluate(method: string, params: Record<string, unknown>): Promise<unknown> {
    const checked = this.#options.allowSideEffects === true ? params : { ...params, throwOnSideEffect: true };
    const answer = (await this.#forward(method, checked)) as { exceptionDetails?: Protocol.Runtime.ExceptionDetails };
    if (method === "Runtime.callFunctionOn" && checked["throwOnSideEffect"] === true && isSideEffectRefusal(answer.exceptionDetails)) {
      throw new Error("interlace controls this thread's schedule: this function could have a side effect (V8's throwOnSideEffect check stopped it), and calls from a client must not change the thread's state");
    }
    return answer;
  }

  async #step(): Promise<unknown> {
    const row = this.#host.view().threads.find((t) => t.name === this.thread);
    if (row === undefined || !row.runnable) {
      const runnable = this.#host.view().threads.filter((t) => t.runnable).map((t) => t.name);
      const why = row === undefined ? "" : row.state === "stopped" ? ` (stopped at ${row.detail})` : ` (${row.state}${row.detail ? `: ${row.detail}` : ""})`;
      throw new Error(`thread "${this.thread}" cannot take the next step now${why}; runnable: ${runnable.join(", ") || "none"}. interlace controls this thread's schedule: use the debug prompt's step/run commands`);
    }
    const thread = this.thread;
    this.#options.log(`interlace: DevTools client: ${thread} takes one step`);
    this.#host.serial(() => this.#host.stepThread(thread)).catch((error: unknown) => {
      this.#options.log(`interlace: DevTools client's step of ${thread} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    return {};
  }

  async #enableDebugger(): Promise<unknown> {
    const session = this.#need();
    // Already enabled by the controller: V8 answers at once with the isolate's debugger id, changing nothing.
    const answer = await session.send("Debugger.enable", {});
    if (!this.#debugger) {
      this.#debugger = true;
      for (const script of this.#driver?.parsedScripts ?? []) this.#event("Debugger.scriptParsed", clientScript(script));
      // A task thread: the task host is stopped in this task's frame first (one task of the isolate is shown at a time).
      const shown = this.#driver?.show?.() ?? Promise.resolve();
      void shown.catch(() => undefined).then(() => setImmediate(() => this.#syncPause()));
    }
    return answer;
  }

  async #enableRuntime(): Promise<unknown> {
    const session = this.#need();
    const contexts = runtimeContexts(session);
    await contexts.ready;
    if (!this.#runtime) {
      this.#runtime = true;
      for (const context of contexts.live.values()) this.#event("Runtime.executionContextCreated", { context });
    }
    return {};
  }

  /** Listens to the current isolate of the thread (again after a relaunch). */
  #bind(): void {
    const driver = this.#host.threadDriver(this.thread);
    if (driver === this.#driver) return;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    const relaunched = this.#driver !== null;
    this.#driver = driver;
    this.#sentPause = null;
    const session = driver?.cdpSession ?? null;
    if (session === null) return;
    const on = listen(session);
    for (const event of DEBUGGER_EVENTS) {
      const client = event === "Debugger.scriptParsed" ? (p: unknown) => clientScript(p as Protocol.Debugger.ScriptParsedEvent) : (p: unknown) => p;
      this.#unsubscribe.push(on(event, (p) => this.#debugger && this.#event(event, client(p))));
    }
    for (const event of RUNTIME_EVENTS) this.#unsubscribe.push(on(event, (p) => this.#runtime && this.#event(event, p)));
    if (relaunched) {
      // A new isolate: its scripts and contexts replace the old ones.
      if (this.#runtime) {
        this.#event("Runtime.executionContextsCleared", {});
        this.#runtime = false;
      }
      if (this.#debugger) for (const script of driver!.parsedScripts) this.#event("Debugger.scriptParsed", clientScript(script));
    }
  }

  /** Reports the thread's pause if it changed: resumed from the old one, paused at the new one. */
  #syncPause(): void {
    if (this.#closed || !this.#debugger) return;
    const pause = this.#driver?.stoppedAt?.pause ?? null;
    if (pause === this.#sentPause) return;
    if (this.#sentPause !== null) this.#event("Debugger.resumed", {});
    this.#sentPause = pause;
    if (pause !== null) {
      const { reason: _reason, hitBreakpoints: _hit, ...rest } = pause;
      this.#event("Debugger.paused", { ...rest, reason: "other", hitBreakpoints: [] });
    }
  }

  #event(method: string, params: unknown): void {
    this.#send({ method, params });
  }

  #send(message: unknown): void {
    if (this.#closed) return;
    this.#socket.send(JSON.stringify(message));
  }
}
