/**
 * Launches a thread in a child `node` process. The child inherits one end of a Unix socketpair as
 * fd 3; an agent worker inside the child relays CDP for the child's main thread over it (~0.3 ms
 * per pause/resume, where CDP over the `--inspect` WebSocket costs ~44 ms on loopback because the
 * inspector socket does not set TCP_NODELAY). No TCP port is opened.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serialize } from "node:v8";
import type { Socket } from "node:net";
import { CdpSession } from "../cdp/session.js";
import type { Transport } from "../cdp/transport.js";
import { FRAME_ACCESSES, FRAME_CDP, FRAME_PROCEED, FRAME_RUNNER, FRAME_START, type RunnerEvent, type StartFrame, type ThreadLaunch } from "../protocol/messages.js";
import type { IoAccesses } from "./thread-target.js";
import { LineReader } from "../runtime/line-reader.mjs";
import { clock } from "./clock.js";
import type { OutputSink } from "./output.js";
import type { TargetListener, ThreadTarget } from "./thread-target.js";

const PROCESS_ENTRY = new URL("../runtime/process-entry.mjs", import.meta.url);
const GRACE_MS = 1500;

/** Options for child-process threads. */
export interface ProcessOptions {
  /** Extra node flags for the child, e.g. `["--max-old-space-size=256"]`. */
  execArgv?: readonly string[];
  /** Extra environment variables for the child. */
  env?: Readonly<Record<string, string>>;
}

/** CDP frames of the fd-3 channel, as a transport. */
class ChannelTransport implements Transport {
  onmessage?: ((message: string) => void) | undefined;
  onclose?: ((reason?: Error) => void) | undefined;
  readonly #channel: Socket;
  #closed = false;

  constructor(channel: Socket) {
    this.#channel = channel;
  }

  send(message: string): void {
    if (!this.#closed) this.#channel.write(`${FRAME_CDP}${message}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.end();
    this.onclose?.();
  }

  closed(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.(reason);
  }
}

/** A child process running one thread. */
export class ProcessTarget implements ThreadTarget {
  readonly thread: string;
  readonly kind = "process" as const;
  readonly session: CdpSession;
  readonly #child: ChildProcess;
  readonly #channel: Socket;
  readonly #start: StartFrame;
  readonly #exited: Promise<void>;
  #runnerEnded = false;
  #disposed = false;
  /** Resource accesses the agent sent (`A` frames) since the last {@link takeIoAccesses}. */
  #io: IoAccesses = { accesses: [], dropped: 0 };

  private constructor(launch: ThreadLaunch, state: string, child: ChildProcess, listener: TargetListener, output: OutputSink) {
    this.thread = launch.thread;
    this.#child = child;
    this.#start = { launch, state };
    this.#channel = child.stdio[3] as Socket;
    this.#channel.setEncoding("utf8");
    output.attach(launch.thread, child.stdout, child.stderr);

    const transport = new ChannelTransport(this.#channel);
    this.session = new CdpSession(transport, `thread "${launch.thread}" (process ${child.pid})`);
    const reader = new LineReader((line) => {
      if (line.startsWith(FRAME_CDP)) {
        transport.onmessage?.(line.slice(1));
      } else if (line.startsWith(FRAME_ACCESSES)) {
        // Always ahead of the pause or runner event that ends the step they belong to.
        const { accesses, dropped } = JSON.parse(line.slice(1)) as IoAccesses;
        this.#io.accesses.push(...accesses);
        this.#io.dropped += dropped;
      } else if (line.startsWith(FRAME_RUNNER)) {
        const event = JSON.parse(line.slice(1)) as RunnerEvent;
        if (event.type !== "blocked") this.#runnerEnded = true;
        listener.runner(event);
      }
    });
    this.#channel.on("data", (chunk: string) => reader.push(chunk));
    this.#channel.on("error", () => {});
    this.#channel.on("close", () => transport.closed());

    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        transport.closed();
        if (!this.#runnerEnded && !this.#disposed) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const tail = output.stderrTail(launch.thread);
          listener.exit(tail ? { detail: `the process ${how}`, stack: tail } : { detail: `the process ${how}` });
        }
        resolve();
      });
    });
  }

  /** Spawns the child; the thread's module is imported only after {@link go}. */
  static launch(launch: ThreadLaunch, state: unknown, listener: TargetListener, output: OutputSink, options: ProcessOptions = {}): ProcessTarget {
    const payload = serialize(state).toString("base64");
    const child = spawn(process.execPath, [...(options.execArgv ?? []), fileURLToPath(PROCESS_ENTRY)], {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    return new ProcessTarget(launch, payload, child, listener, output);
  }

  /** Process id of the child (tests use it to prove the child is gone). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  go(): void {
    this.#channel.write(`${FRAME_START}${JSON.stringify(this.#start)}\n`);
  }

  takeIoAccesses(): IoAccesses {
    const taken = this.#io;
    this.#io = { accesses: [], dropped: 0 };
    return taken;
  }

  proceed(): void {
    this.#channel.write(`${FRAME_PROCEED}\n`);
  }

  again(state: unknown): void {
    this.#runnerEnded = false;
    this.#io = { accesses: [], dropped: 0 };
    const frame: StartFrame = { state: serialize(state).toString("base64") };
    this.#channel.write(`${FRAME_START}${JSON.stringify(frame)}\n`);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return this.#exited;
    this.#disposed = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      if (this.#runnerEnded) {
        // Finished normally: closing the channel lets the child exit by itself.
        this.session.close();
        const timer = clock.setTimeout(() => this.#child.kill("SIGKILL"), GRACE_MS);
        await this.#exited;
        clock.clearTimeout(timer);
      } else {
        // Interrupted mid-run: stop it where it is, without running more user code.
        this.#child.kill("SIGKILL");
      }
    }
    await this.#exited;
    this.session.close();
    this.#channel.destroy();
  }
}
