/**
 * `interlace attach <ws-url>`: a real external `node --inspect-wait` process (fixtures/attach/app.mjs)
 * driven through a marker schedule and from a scripted prompt; the process is never killed by
 * interlace and runs to its end by itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const started: ChildProcess[] = [];

interface App {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts the fixture app waiting for a debugger; resolves once it printed its ws:// URL. */
async function startApp(): Promise<App> {
  const child = spawn(process.execPath, ["--inspect-wait=127.0.0.1:0", "fixtures/attach/app.mjs"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ws:// URL from the app: ${err}`)), 10_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /ws:\/\/\S+/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  return { child, url, stdout: () => out, exited };
}

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}

function interlace(args: string[], input = ""): Promise<Cli> {
  const child = spawn(process.execPath, ["bin/interlace.js", ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(input);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

const ROUNDS = "round 1: 0 -> 10\nround 2: 10 -> 20\nround 3: 20 -> 30\napp done\n";

afterAll(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

describe("interlace attach", () => {
  it("drives the process through a marker schedule, then detaches and the process runs to its end", async () => {
    const app = await startApp();
    const cli = await interlace(["attach", app.url, "--schedule", "app:read_counter app:write_counter app:read_counter"]);
    expect(cli.stderr).toContain(`attached to ${app.url}`);
    expect(cli.stdout.split("\n").filter((l) => l.startsWith("step "))).toEqual([
      'step 1  app:read_counter  fixtures/attach/app.mjs:12  const current = Number(readFileSync(file, "utf8"));',
      "step 2  app:write_counter  fixtures/attach/app.mjs:14  writeFileSync(file, String(next)); // interlace: write_counter",
      'step 3  app:read_counter  fixtures/attach/app.mjs:12  const current = Number(readFileSync(file, "utf8"));',
    ]);
    expect(cli.stdout).toContain("schedule done (3 steps): detached, app runs on");
    expect(cli.code).toBe(0);
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("a scripted prompt: run to a marker, print, step, quit; the process goes on after quit", async () => {
    const app = await startApp();
    const cli = await interlace(["attach", app.url], "run\nprint round\nstep\nprint current\nprint current = 5\nwhere\nrun\nquit\n");
    const out = cli.stdout;
    expect(out).toContain("app  at start  fixtures/attach/app.mjs (before it runs)");
    expect(out).toContain('(interlace) run\napp  stopped at marker read_counter  fixtures/attach/app.mjs:12  const current = Number(readFileSync(file, "utf8"));');
    expect(out).toContain("(interlace) print round\napp: round = 1");
    expect(out).toContain("(interlace) step\napp  stopped at statement  fixtures/attach/app.mjs:13:");
    expect(out).toContain("(interlace) print current\napp: current = 0");
    expect(out).toContain("error E_DEBUG_SIDE_EFFECT");
    expect(out).toContain("  (top level)  fixtures/attach/app.mjs:13:");
    expect(out).toContain("app  stopped at marker write_counter  fixtures/attach/app.mjs:14");
    // The refused assignment counts as a failed command in scripted mode.
    expect(cli.code).toBe(2);
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("an unknown marker is E_UNKNOWN_MARKER listing the markers found; the process runs on", async () => {
    const app = await startApp();
    const cli = await interlace(["attach", app.url, "--schedule", "app:read_countr"]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain("E_UNKNOWN_MARKER");
    expect(cli.stderr).toContain("read_counter, write_counter");
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("a schedule the process cannot follow stalls with E_SCHEDULE_STALL (exit 3) naming where it stopped; the process runs on", async () => {
    const app = await startApp();
    // The first marker the program reaches is read_counter, not write_counter.
    const cli = await interlace(["attach", app.url, "--schedule", "app:write_counter"]);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain("E_SCHEDULE_STALL");
    expect(cli.stderr).toContain('stopped at marker "read_counter" (fixtures/attach/app.mjs:12) but the next step is app:write_counter (step 1)');
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("a schedule longer than the program: E_STEP_THREAD_FINISHED once it ends without reaching the step", async () => {
    const app = await startApp();
    const rounds = Array.from({ length: 3 }, () => "app:read_counter app:write_counter").join(" ");
    const cli = await interlace(["attach", app.url, "--schedule", `${rounds} app:read_counter`]);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain("E_STEP_THREAD_FINISHED");
    expect(cli.stderr).toContain('ran to its end without reaching marker "read_counter" (step 7: app:read_counter)');
    expect(cli.stdout.split("\n").filter((l) => l.startsWith("step "))).toHaveLength(6);
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("Ctrl-C at the prompt, with the process paused at a marker: exit 130, detached, the process runs on", async () => {
    const app = await startApp();
    const child = spawn(process.execPath, ["bin/interlace.js", "attach", app.url], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    started.push(child);
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // stdin stays open: the prompt waits, the app paused at its first marker.
    const atMarker = new Promise<void>((resolve) =>
      child.stdout!.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("stopped at marker read_counter")) resolve();
      }),
    );
    child.stdin!.write("run\n");
    await atMarker;
    child.kill("SIGINT");
    expect(await exit).toBe(130);
    expect(stderr, stderr).toContain("SIGINT: detaching (the process runs on)");
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe(ROUNDS);
  }, 20_000);

  it("refuses a URL that is not on loopback, and says what to do with an unreachable one", async () => {
    const remote = await interlace(["attach", "ws://example.com:9229/x"]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain("E_ATTACH_NOT_LOOPBACK");
    const gone = await interlace(["attach", "ws://127.0.0.1:1/nothing-here"]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("E_ATTACH_UNREACHABLE");
    expect(gone.stderr).toContain("--inspect-wait");
  }, 20_000);
});
