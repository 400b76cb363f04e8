/**
 * The real Chrome DevTools frontend against `interlace debug --inspect`. Headless Chromium cannot
 * navigate to `devtools://` (ERR_INVALID_URL), but its remote-debugging server serves the same
 * bundled frontend over HTTP: `/json/list`'s `devtoolsFrontendUrl` with `devtools://devtools/bundled/`
 * replaced by `http://127.0.0.1:<chromium port>/devtools/` opens js_app.html on a thread of the
 * bank counterexample at its racy step. The test reads what a user sees in the frontend's own DOM
 * (shadow roots pierced): the call stack, the TypeScript source with the execution line, the
 * scope's values; presses F8 in the frontend, which must be one step of the session; evaluates in
 * the frontend's console; and checks from the endpoint's log (INTERLACE_INSPECT_LOG=1) that every
 * request the frontend sent was answered. Afterwards nothing is left running, and the
 * counterexample still replays 10/10.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import CDP from "chrome-remote-interface";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEDULE_REFUSAL } from "../../src/debug/inspect/methods.js";
import { launchChromium, type Browser } from "../report-html/chromium.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BANK = "examples/bank/scenario.ts";
const COUNTER = "examples/async-counter/scenario.ts";
const tmp = mkdtempSync(join(tmpdir(), "interlace-devtools-"));
const children = new Set<ChildProcessWithoutNullStreams>();
let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

function interlace(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 90_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `test` holds of its value; fails with the last value seen. */
async function until<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await read();
  while (!test(last)) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; last seen:\n${typeof last === "string" ? last : JSON.stringify(last, null, 2)}`);
    await sleep(100);
    last = await read();
  }
  return last;
}

/** Whether something still accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

interface DomNode {
  nodeId: number;
  nodeType: number;
  nodeValue: string;
  localName: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

/** One text of the frontend's page with the class of the element around it (and of its ancestors). */
interface Text {
  cls: string;
  ancestors: string;
  text: string;
  nodeId: number;
}

/** Every text node of the page (not style sheets), shadow roots included, with its nearest element's class. */
async function pageTexts(client: CDP.Client): Promise<Text[]> {
  const { root: doc } = (await client.DOM.getDocument({ depth: -1, pierce: true })) as unknown as { root: DomNode };
  const texts: Text[] = [];
  const walk = (node: DomNode, cls: string, element: number, ancestors: string): void => {
    if (node.localName === "style" || node.localName === "script") return;
    let here = cls;
    let id = element;
    if (node.nodeType === 1) {
      const attrs = node.attributes ?? [];
      const at = attrs.findIndex((a, i) => i % 2 === 0 && a === "class");
      // A classless element (Chromium 156 wraps scope names in a bare <span>) reads as its parent's class.
      here = at >= 0 ? attrs[at + 1]! : cls;
      id = node.nodeId;
    }
    const path = node.nodeType === 1 ? `${ancestors} ${here}` : ancestors;
    if (node.nodeType === 3 && node.nodeValue.trim() !== "") texts.push({ cls: here, ancestors: path, text: node.nodeValue.trim(), nodeId: id });
    for (const shadow of node.shadowRoots ?? []) walk(shadow, here, id, path);
    for (const child of node.children ?? []) walk(child, here, id, path);
  };
  walk(doc, "", doc.nodeId, "");
  return texts;
}

/** What the user reads in the Sources panel: call stack rows, the execution line, the status, scope rows. */
async function sourcesView(client: CDP.Client): Promise<{ frames: string[]; executionLine: string; status: string; scope: string }> {
  const texts = await pageTexts(client);
  const has = (c: string) => (t: Text) => t.cls.split(/\s+/).includes(c);
  const titles = texts.filter(has("call-frame-title-text")).map((t) => t.text);
  const locations = texts.filter(has("call-frame-location")).map((t) => t.text);
  return {
    frames: titles.map((title, i) => `${title} ${locations[i] ?? "?"}`),
    executionLine: texts.filter((t) => t.ancestors.split(/\s+/).includes("cm-executionLine")).map((t) => t.text).join(" "),
    status: texts.filter(has("status-main")).map((t) => t.text).join(" "),
    scope: texts
      .filter((t) => t.cls.split(/\s+/).some((c) => c === "name" || c === "separator" || c.startsWith("object-value-")))
      .map((t) => t.text)
      .join(" "),
  };
}

async function clickText(client: CDP.Client, cls: string, text: string): Promise<void> {
  const target = (await pageTexts(client)).find((t) => t.cls.split(/\s+/).includes(cls) && t.text === text);
  if (target === undefined) throw new Error(`no .${cls} reads "${text}" in the DevTools page`);
  const { model } = await client.DOM.getBoxModel({ nodeId: target.nodeId });
  const q = model.content;
  const x = (q[0]! + q[4]!) / 2;
  const y = (q[1]! + q[5]!) / 2;
  await client.Input.dispatchMouseEvent({ type: "mouseMoved", x, y });
  await client.Input.dispatchMouseEvent({ type: "mousePressed", x, y, button: "left", clickCount: 1 });
  await client.Input.dispatchMouseEvent({ type: "mouseReleased", x, y, button: "left", clickCount: 1 });
}

async function press(client: CDP.Client, key: "F8" | "Enter"): Promise<void> {
  const code = key === "F8" ? 119 : 13;
  const text = key === "Enter" ? { text: "\r", unmodifiedText: "\r" } : {};
  await client.Input.dispatchKeyEvent({ type: key === "Enter" ? "keyDown" : "rawKeyDown", key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code, ...text });
  await client.Input.dispatchKeyEvent({ type: "keyUp", key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
}

/** The endpoint's log: each request the frontend sent (`←`) and the answer (`→`), by id. */
function cdpLog(stderr: string, thread = "t1"): { sent: Map<number, string>; answers: Map<number, string> } {
  const sent = new Map<number, string>();
  const answers = new Map<number, string>();
  for (const line of stderr.split("\n")) {
    const asked = new RegExp(`^interlace: cdp ${thread} ← #(\\d+) (\\S+)$`).exec(line);
    if (asked) sent.set(Number(asked[1]), asked[2]!);
    const answered = new RegExp(`^interlace: cdp ${thread} → #(\\d+) (\\S+) (.*)$`).exec(line);
    if (answered) answers.set(Number(answered[1]), `${answered[2]} ${answered[3]}`);
  }
  return { sent, answers };
}

/** `interlace debug … --inspect` in a child (the endpoint's request log on): its output, its endpoint's port, a command writer. */
async function startDebug(args: readonly string[]): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<number | null>; port: number; stdout: string; stderr: string; command(line: string): Promise<string> }> {
  const child = spawn(process.execPath, ["bin/interlace.js", "debug", ...args, "--inspect"], { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, INTERLACE_INSPECT_LOG: "1" } });
  children.add(child);
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out.stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const endpointLine = /^interlace: DevTools endpoint http:\/\/127\.0\.0\.1:(\d+) /m;
  await until(async () => out.stderr, (s) => endpointLine.test(s) || child.exitCode !== null, "the endpoint line");
  expect(out.stderr).toMatch(endpointLine);
  return {
    child,
    exited,
    port: Number(endpointLine.exec(out.stderr)![1]),
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    async command(line: string): Promise<string> {
      const from = out.stdout.length;
      child.stdin.write(`${line}\n`);
      return until(async () => out.stdout.slice(from), (s) => /\nrunnable: .*\n/.test(s) || /^error /m.test(s), `the answer to ${line}`);
    },
  };
}

describe("the Chrome DevTools frontend on interlace debug --inspect (examples/bank)", () => {
  it("shows the racy step (stack, TypeScript source line, scope), F8 takes one step, the console evaluates; every request is answered; nothing is left running", async () => {
    const file = join(tmp, "bank.json");
    const explored = interlace(["explore", BANK, "--seed", "1", "--reproduce", "0", "--save", file]);
    expect(explored.code, explored.stderr).toBe(1);

    const debug = await startDebug([BANK, file, "--at", "2"]);
    const { child, exited, port, command } = debug;
    const stderrOf = () => debug.stderr;

    const t1 = (await CDP.List({ host: "127.0.0.1", port })).find((t) => t.title.startsWith("interlace t1:"));
    expect(t1?.title).toBe("interlace t1: stopped at statement examples/bank/account.ts:9:16 (step 2)");
    expect(t1!.devtoolsFrontendUrl).toMatch(/^devtools:\/\/devtools\/bundled\/js_app\.html\?/);

    browser = await launchChromium();
    const frontendUrl = t1!.devtoolsFrontendUrl.replace("devtools://devtools/bundled/", `http://127.0.0.1:${browser.port}/devtools/`);
    const tab = await CDP.New({ host: "127.0.0.1", port: browser.port, url: "about:blank" });
    const page = await CDP({ host: "127.0.0.1", port: browser.port, target: tab });
    const pageErrors: string[] = [];
    page.Runtime.consoleAPICalled((e) => {
      if (e.type === "error") pageErrors.push(e.args.map((a) => String(a.value ?? a.description)).join(" "));
    });
    page.Runtime.exceptionThrown((e) => pageErrors.push(e.exceptionDetails.exception?.description ?? e.exceptionDetails.text));
    try {
      await Promise.all([page.Runtime.enable(), page.Page.enable(), page.DOM.enable({})]);
      await page.Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
      await page.Emulation.setFocusEmulationEnabled({ enabled: true });
      const navigated = await page.Page.navigate({ url: frontendUrl });
      expect(navigated.errorText).toBeUndefined();

      // What the user sees at step 2: paused in transfer at account.ts:9, the TypeScript line, the locals.
      const at2 = await until(() => sourcesView(page), (v) => v.frames.length > 0 && v.executionLine !== "" && /current/.test(v.scope), "the paused Sources panel");
      expect(at2.status).toBe("Debugger paused");
      expect(at2.frames[0]).toBe("transfer account.ts:9");
      expect(at2.executionLine.replace(/\s+/g, "")).toBe("constnext=current+amount;");
      expect(at2.scope).toMatch(/\bamount : 50\b/);
      expect(at2.scope).toMatch(/\bcurrent : 100\b/);
      expect(stderrOf()).toContain("interlace: DevTools client attached to t1");
      // The source map is complete: the frontend did not have to fetch the .ts file (which it cannot).
      expect(pageErrors.filter((e) => /Could not load content/.test(e))).toEqual([]);

      // F8, the frontend's own resume shortcut: one step of t1, the session at step 3.
      await page.Page.bringToFront();
      await press(page, "F8");
      await until(async () => stderrOf(), (s) => s.includes("interlace: DevTools client: t1 takes one step"), "the client's step");
      const at3 = await until(() => sourcesView(page), (v) => v.frames[0] === "transfer account.ts:10" && /\bnext : \d/.test(v.scope), "the pause after F8");
      expect(at3.executionLine.replace(/\s+/g, "")).toBe("shared.balance[0]=next;//interlace:write_balance");
      expect(at3.scope).toMatch(/\bnext : 150\b/);
      const show = await command("show");
      expect(show).toMatch(/── step 3 of 8\n.*t1 +stopped at marker write_balance {2}examples\/bank\/account\.ts:10:3/);

      // The frontend's console evaluates on the paused frame, side-effect-free.
      await clickText(page, "tabbed-pane-header-tab-title", "Console");
      await sleep(300);
      await page.Input.insertText({ text: "current * 3 + amount" });
      await press(page, "Enter");
      const inConsole = (ts: Text[]) => ts.filter((t) => t.ancestors.split(/\s+/).includes("console-user-command-result")).map((t) => t.text).join(" ");
      expect(await until(async () => inConsole(await pageTexts(page)), (text) => text !== "", "the console's answer")).toBe("350");

      // A breakpoint set in the frontend's gutter is refused with the documented message; nothing moves.
      await clickText(page, "tabbed-pane-header-tab-title", "Sources");
      await sleep(300);
      await clickText(page, "cm-gutterElement", "11");
      const refusal = await until(async () => stderrOf(), (s) => /interlace: cdp t1 → #\d+ Debugger\.setBreakpointByUrl /.test(s), "the breakpoint request");
      expect(refusal).toContain(`Debugger.setBreakpointByUrl refuse: error -32000 ${SCHEDULE_REFUSAL}`);
      expect(refusal).toContain("interlace: DevTools client of t1: Debugger.setBreakpointByUrl refused (interlace controls this thread's schedule)");
      expect(await command("show")).toMatch(/── step 3 of 8\n/);

      // Every request the frontend sent was answered: ok, refused with our message, or "wasn't found" as Node answers.
      const { sent, answers } = cdpLog(stderrOf());
      expect(sent.size).toBeGreaterThan(10);
      for (const [id, method] of sent) expect(answers.get(id), `#${id} ${method}`).toMatch(new RegExp(`^${method.replace(/\./g, "\\.")} `));
      const methods = new Set(sent.values());
      for (const m of ["Runtime.enable", "Debugger.enable", "Runtime.runIfWaitingForDebugger", "Debugger.getScriptSource", "Runtime.getProperties", "Debugger.resume", "Debugger.evaluateOnCallFrame"]) expect(methods).toContain(m);
      for (const [id, answer] of answers) {
        if (/: ok$/.test(answer) || answer.includes(` refuse: error -32000 ${SCHEDULE_REFUSAL}`)) continue;
        // Only what Node itself lacks (the Network and Target domains) is unanswered.
        expect(answer, `#${id}`).toMatch(/^(Network|Target)\.\S+ unknown: error -32601 '(Network|Target)\.\S+' wasn't found$/);
      }
      const frontendFailures = pageErrors.filter((e) => /^Request \S+ failed/.test(e));
      for (const failure of frontendFailures) expect(failure).toMatch(/^Request ((Network|Target)\.\S+|Debugger\.setBreakpointByUrl) failed/);
    } finally {
      await page.close().catch(() => {});
    }

    child.stdin.end("quit\n");
    expect(await exited).toBe(0);
    const chromiumPort = browser.port;
    await browser.close();
    browser = null;
    expect(await listening(port)).toBe(false);
    expect(await listening(chromiumPort)).toBe(false);

    const replayed = interlace(["replay", BANK, file, "--times", "10"]);
    expect(replayed.code, replayed.stderr).toBe(1);
    expect(replayed.stdout).toContain("Reproduced 10/10 times");
  }, 90_000);
});

describe("the Chrome DevTools frontend on a task thread (examples/async-counter)", () => {
  it("shows the parked task at its marker with its frame's variables, F8 takes its step; every request is answered", async () => {
    const debug = await startDebug([COUNTER]);
    const { child, exited, port, command } = debug;
    const stderrOf = () => debug.stderr;
    // Both tasks read the counter (0) and stop at their write marker.
    for (const line of ["run task1", "run task1", "run task2", "run task2"]) await command(line);
    const task1 = (await CDP.List({ host: "127.0.0.1", port })).find((t) => t.title.startsWith("interlace task1:"));
    expect(task1?.title).toBe("interlace task1: stopped at marker write_value examples/async-counter/counter.ts:17:5 (step 6)");

    browser ??= await launchChromium();
    const frontendUrl = task1!.devtoolsFrontendUrl.replace("devtools://devtools/bundled/", `http://127.0.0.1:${browser.port}/devtools/`);
    const tab = await CDP.New({ host: "127.0.0.1", port: browser.port, url: "about:blank" });
    const page = await CDP({ host: "127.0.0.1", port: browser.port, target: tab });
    try {
      await Promise.all([page.Runtime.enable(), page.Page.enable(), page.DOM.enable({})]);
      await page.Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
      await page.Emulation.setFocusEmulationEnabled({ enabled: true });
      expect((await page.Page.navigate({ url: frontendUrl })).errorText).toBeUndefined();

      // Paused at the marker's line of increment(), in the TypeScript source, with the frame's v.
      const at6 = await until(() => sourcesView(page), (v) => v.frames.length > 0 && v.executionLine !== "" && /\bv : 0\b/.test(v.scope), "the paused Sources panel");
      expect(at6.status).toBe("Debugger paused");
      // One frame, the task's (the frontend names it from the compiled closure it stopped in: "(anonymous)").
      expect(at6.frames).toHaveLength(1);
      expect(at6.frames[0]).toMatch(/ counter\.ts:17$/);
      expect(at6.executionLine.replace(/\s+/g, "")).toBe("awaitthis.set(v+1);");

      // F8: task1's step (its write of 1); the frontend shows it paused again after that await.
      await page.Page.bringToFront();
      await press(page, "F8");
      await until(async () => stderrOf(), (s) => s.includes("interlace: DevTools client: task1 takes one step"), "the client's step");
      expect(await command("show")).toMatch(/── step 7\n.*task1 +stopped at await {2}examples\/async-counter\/counter\.ts:17:5/);
      await until(() => sourcesView(page), (v) => v.status === "Debugger paused" && /\bv : 0\b/.test(v.scope), "the pause after F8");

      const { sent, answers } = cdpLog(stderrOf(), "task1");
      expect(sent.size).toBeGreaterThan(10);
      for (const [id, method] of sent) expect(answers.get(id), `#${id} ${method}`).toMatch(new RegExp(`^${method.replace(/\./g, "\\.")} `));
      for (const [id, answer] of answers) {
        if (/: ok$/.test(answer)) continue;
        expect(answer, `#${id}`).toMatch(/^(Network|Target)\.\S+ unknown: error -32601 '(Network|Target)\.\S+' wasn't found$/);
      }
    } finally {
      await page.close().catch(() => {});
    }
    child.stdin.end("quit\n");
    expect(await exited).toBe(0);
    await browser.close();
    browser = null;
    expect(await listening(port)).toBe(false);
  }, 90_000);
});
