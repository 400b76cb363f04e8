/**
 * Proofs that a run left nothing behind, read from the real operating system (Linux /proc), not
 * from mocks: child processes, OS threads of this process (every worker_thread is one), TCP
 * listening sockets, interlace's shared inspector hub, and this process's inspector port.
 *
 * Usage: `const baseline = await takeBaseline()` in `beforeAll` after one warm-up run (libuv and
 * V8 create some threads lazily), then `await expectNothingLeft(baseline)` after each test.
 */
import { subscribe, unsubscribe, type ChannelListener } from "node:diagnostics_channel";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { url as inspectorUrl } from "node:inspector";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { WorkerHub } from "../../src/controller/worker-hub.js";

/** One line of /proc/<pid>/stat, the fields we need. */
export interface ProcStat {
  pid: number;
  /** Executable name (may contain spaces and parentheses). */
  comm: string;
  /** R, S, D, Z (zombie: exited but not reaped), T, ... */
  state: string;
  ppid: number;
}

/**
 * Parses /proc/<pid>/stat. `comm` sits between the first "(" and the LAST ")": it may itself
 * contain spaces and parentheses, so splitting the whole line on spaces would be wrong.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text)}`);
  const [state = "?", ppid = "NaN"] = text.slice(close + 2).split(" ");
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state, ppid: Number(ppid) };
}

function numericEntries(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every readable process of the system (processes can vanish while we read: skipped). */
function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const pid of numericEntries("/proc")) {
    try {
      stats.push(parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")));
    } catch {
      // Exited between readdir and read.
    }
  }
  return stats;
}

/** Live (or zombie) processes whose parent is `parent`. */
export function childProcesses(parent: number = process.pid): ProcStat[] {
  return allProcesses().filter((p) => p.ppid === parent);
}

/** Children, grandchildren, ... of `root` (processes still attached to the tree). */
export function descendantProcesses(root: number = process.pid): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of allProcesses()) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const found: ProcStat[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of byParent.get(parent) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * An environment variable set in this process, and so inherited by every process it spawns and by
 * their own children. It finds orphans: a grandchild whose parent died is re-parented (to init or
 * a subreaper) and drops out of {@link descendantProcesses}, but keeps its environment.
 */
const LEAK_TAG_NAME = "INTERLACE_LEAK_TAG";
const LEAK_TAG_VALUE = `${process.pid}-${Date.now()}`;
process.env[LEAK_TAG_NAME] = LEAK_TAG_VALUE;
export const LEAK_TAG = `${LEAK_TAG_NAME}=${LEAK_TAG_VALUE}`;

/** Processes other than this one whose environment carries {@link LEAK_TAG}. */
export function taggedProcesses(): ProcStat[] {
  const needle = Buffer.from(`${LEAK_TAG}\0`);
  const found: ProcStat[] = [];
  for (const pid of numericEntries("/proc")) {
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`).includes(needle)) found.push(parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")));
    } catch {
      // Exited, or not ours to read.
    }
  }
  return found;
}

/** Number of OS threads of this process (main thread, libuv pool, V8 platform, each worker_thread, ...). */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/** A TCP socket in LISTEN state. */
export interface ListeningSocket {
  pid: number;
  inode: number;
  /** e.g. "127.0.0.1:9229" or "[::]:8080". */
  address: string;
}

const TCP_LISTEN = "0A";

/** Decodes the hex address of /proc/net/tcp{,6}: 32-bit words in host (little-endian) order. */
function decodeAddress(hex: string, v6: boolean): string {
  const [ip = "", port = "0"] = hex.split(":");
  const bytes = (ip.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  const host = v6
    ? `[${Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(":")}]`
    : bytes.join(".");
  return `${host}:${parseInt(port, 16)}`;
}

/** inode → address of every TCP socket in LISTEN state of this network namespace. */
function listeningInodes(): Map<number, string> {
  const inodes = new Map<number, string>();
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // No IPv6 in this kernel.
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === TCP_LISTEN && fields[9] !== undefined) inodes.set(Number(fields[9]), decodeAddress(fields[1] ?? "", v6));
    }
  }
  return inodes;
}

/** TCP sockets in LISTEN state held open by any of `pids` (matched through /proc/<pid>/fd socket inodes). */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const listening = listeningInodes();
  const found: ListeningSocket[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // Exited.
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // Closed meanwhile.
      }
      const inode = Number(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? NaN);
      const address = listening.get(inode);
      if (address !== undefined && !found.some((s) => s.pid === pid && s.inode === inode)) found.push({ pid, inode, address });
    }
  }
  return found;
}

/** What this process looked like after the warm-up run. */
export interface LeakBaseline {
  threads: number;
  /** Listening sockets this process already had (vitest's own, if any). */
  listening: string[];
}

/** What was still around at one moment. */
export interface LeftOver {
  processes: string[];
  extraThreads: number;
  threads: number;
  hubActive: boolean;
  inspectorUrl: string | undefined;
  newListening: string[];
}

/** Records the baseline; call after a warm-up run. */
export async function takeBaseline(): Promise<LeakBaseline> {
  const threads = await settledThreadCount();
  return { threads, listening: listeningSockets([process.pid]).map((s) => s.address) };
}

/** Thread count once it stopped dropping (threads of a finished run exit asynchronously). */
async function settledThreadCount(): Promise<number> {
  let last = threadCount();
  for (let i = 0; i < 10; i++) {
    await sleep(50);
    const now = threadCount();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** One look at everything a run could leave behind. */
export function leftOver(baseline: LeakBaseline): LeftOver {
  const seen = new Map<number, ProcStat>();
  for (const p of [...descendantProcesses(), ...taggedProcesses()]) seen.set(p.pid, p);
  const threads = threadCount();
  return {
    processes: [...seen.values()].map((p) => `pid ${p.pid} (${p.comm}) state ${p.state} ppid ${p.ppid}`),
    extraThreads: Math.max(0, threads - baseline.threads),
    threads,
    hubActive: WorkerHub.active,
    inspectorUrl: inspectorUrl(),
    newListening: listeningSockets([process.pid])
      .map((s) => s.address)
      .filter((a) => !baseline.listening.includes(a)),
  };
}

function isClean(left: LeftOver): boolean {
  return left.processes.length === 0 && left.extraThreads === 0 && !left.hubActive && left.inspectorUrl === undefined && left.newListening.length === 0;
}

/**
 * Asserts that no child process (nor orphaned grandchild), no extra OS thread, no inspector hub
 * session, no inspector port and no new listening socket remains. Exits are asynchronous, so it
 * polls for up to `settleMs` before failing with everything that was still there.
 */
export async function expectNothingLeft(baseline: LeakBaseline, { settleMs = 2_000 }: { settleMs?: number } = {}): Promise<void> {
  const deadline = performance.now() + settleMs;
  let left = leftOver(baseline);
  while (!isClean(left) && performance.now() < deadline) {
    await sleep(50);
    left = leftOver(baseline);
  }
  expect(left, `left behind (baseline ${baseline.threads} threads)`).toEqual({
    processes: [],
    extraThreads: 0,
    threads: left.threads,
    hubActive: false,
    inspectorUrl: undefined,
    newListening: [],
  });
}

/** Counts isolates launched by this process while recording: proof that a run launched nothing. */
export interface LaunchRecorder {
  readonly workers: number;
  readonly processes: number;
  stop(): void;
}

/**
 * Observes real launches: Node emits `process.on("worker")` for every new worker_thread and
 * publishes every spawned child process on the built-in `child_process` diagnostics channel.
 */
export function recordLaunches(): LaunchRecorder {
  const counts = { workers: 0, processes: 0 };
  const onWorker = (): void => {
    counts.workers += 1;
  };
  const onProcess: ChannelListener = () => {
    counts.processes += 1;
  };
  process.on("worker", onWorker);
  subscribe("child_process", onProcess);
  return {
    get workers() {
      return counts.workers;
    },
    get processes() {
      return counts.processes;
    },
    stop() {
      process.off("worker", onWorker);
      unsubscribe("child_process", onProcess);
    },
  };
}
