/**
 * A private Redis server for one test file: Debian's `redis-server` (`.ci/run` installs it) on a
 * random 127.0.0.1 port, no persistence, its working directory a temporary one; `stop()` kills it
 * and removes the directory. Call `stop()` from `afterAll` (it is safe to call twice); a test
 * process that exits without running it (a failed hook, a worker torn down) still kills its
 * servers, from an `exit` handler.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./ports.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  stop(): void;
}

const START_MS = 15_000;

function binary(): string {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === "") throw new Error("redis-server not found: apt-get install redis-server (as .ci/run does).");
  return path;
}

/** Sends one inline PING; resolves true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => {
      reply += d.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

/** The `stop` of every server still running in this process. */
const live = new Set<() => void>();
process.once("exit", () => {
  for (const stop of [...live]) stop();
});

/** Starts a server; resolves once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), "interlace-redis-"));
  let child: ChildProcess | undefined;
  let log = "";
  const stop = () => {
    live.delete(stop);
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(stop);
  try {
    const port = await freePort();
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"];
    const started = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    started.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    // Not a reason for the test process to stay alive; stop() (or the process's exit) ends it.
    started.unref();
    (started.stdout as unknown as { unref?: () => void }).unref?.();
    (started.stderr as unknown as { unref?: () => void }).unref?.();
    const deadline = Date.now() + START_MS;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`redis-server exited (${started.exitCode ?? started.signalCode}): ${log}`);
      if (await ping(port)) break;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within ${START_MS} ms: ${log}`);
      await sleep(50);
    }
    return { port, url: `redis://127.0.0.1:${port}`, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

