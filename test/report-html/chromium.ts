/**
 * Headless Chromium for the report tests, driven over the DevTools protocol with
 * chrome-remote-interface: one browser per test file (launched on a free port bound to 127.0.0.1,
 * with a throw-away profile), one tab per page. No skipping: without Chromium the tests fail and
 * say how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import CDP from "chrome-remote-interface";

/** The Chromium binary: `$CHROMIUM`, or the first of the usual names on the PATH. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM, "chromium", "chromium-browser", "google-chrome"].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    const found = spawnSync("sh", ["-c", `command -v "${candidate.replace(/"/g, "")}"`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  throw new Error(
    "The HTML report tests need headless Chromium and found none (looked for $CHROMIUM, chromium, chromium-browser, google-chrome). " +
      "Install it: apt-get install -y --no-install-recommends chromium (.ci/run does).",
  );
}

export interface Browser {
  port: number;
  open(file: string, options?: { dark?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export interface Page {
  /** Every URL the page requested, the document included. */
  requests: string[];
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
  evaluate<T>(expression: string): Promise<T>;
  /** A real mouse click at the centre of the first element matching `selector`. */
  click(selector: string): Promise<void>;
  /** Moves the mouse over the centre of the element. */
  hover(selector: string): Promise<void>;
  press(key: "ArrowRight" | "ArrowLeft" | "Home" | "End"): Promise<void>;
  /** Saves a PNG of the whole page; returns its path. */
  screenshot(path: string): Promise<string>;
  close(): Promise<void>;
}

const KEY_CODES = { ArrowLeft: 37, ArrowRight: 39, Home: 36, End: 35 } as const;

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  const binary = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), "interlace-chromium-"));
  const child = spawn(
    binary,
    [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--hide-scrollbars",
      "--window-size=1280,900",
      "about:blank",
    ],
    // Its own process group, so that close() can stop the helpers Chromium forks (zygote, GPU,
    // crashpad), which keep writing into the profile for a moment after the browser exits.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let port: number;
  try {
    port = await devToolsPort(child);
  } catch (error) {
    child.kill("SIGKILL");
    killGroup(child);
    rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    throw error;
  }
  const clients = new Set<CDP.Client>();
  return {
    port,
    async open(file, options = {}) {
      const target = await CDP.New({ host: "127.0.0.1", port, url: "about:blank" });
      const client = await CDP({ host: "127.0.0.1", port, target });
      clients.add(client);
      const page = await preparePage(client, options.dark === true);
      const loaded = client.Page.loadEventFired();
      await client.Page.navigate({ url: pathToFileURL(file).href });
      await loaded;
      return {
        ...page,
        async close() {
          clients.delete(client);
          await client.close().catch(() => {});
          await CDP.Close({ host: "127.0.0.1", port, id: target.id }).catch(() => {});
        },
      };
    },
    async close() {
      for (const client of clients) await client.close().catch(() => {});
      clients.clear();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(child);
      // A helper may still be flushing into the profile: rmSync retries ENOTEMPTY/EBUSY.
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

/** Stops what is left of the browser's process group (nothing, once it has exited cleanly). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Reads the port from "DevTools listening on ws://127.0.0.1:PORT/…" on stderr. */
function devToolsPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => done(new Error(`Chromium did not start in 20 s:\n${seen}`)), 20_000);
    const done = (error: Error | null, port?: number): void => {
      clearTimeout(timer);
      child.stderr!.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(port!);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m) done(null, Number(m[1]));
    };
    const onExit = (code: number | null): void => done(new Error(`Chromium exited (${code}) before listening:\n${seen}`));
    child.stderr!.on("data", onData);
    child.on("exit", onExit);
  });
}

async function preparePage(client: CDP.Client, dark: boolean): Promise<Omit<Page, "close">> {
  const requests: string[] = [];
  const errors: string[] = [];
  client.Network.requestWillBeSent((event) => requests.push(event.request.url));
  client.Runtime.exceptionThrown((event) => errors.push(event.exceptionDetails.exception?.description ?? event.exceptionDetails.text));
  client.Runtime.consoleAPICalled((event) => {
    if (event.type === "error") errors.push(event.args.map((a) => String(a.value ?? a.description)).join(" "));
  });
  await Promise.all([client.Network.enable({}), client.Page.enable(), client.Runtime.enable()]);
  await client.Emulation.setDeviceMetricsOverride({ width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  await client.Emulation.setEmulatedMedia({ features: [{ name: "prefers-color-scheme", value: dark ? "dark" : "light" }] });
  const evaluate = async <T>(expression: string): Promise<T> => {
    const { result, exceptionDetails } = await client.Runtime.evaluate({ expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(`evaluate failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}\n${expression}`);
    return result.value as T;
  };
  const centre = async (selector: string): Promise<{ x: number; y: number }> => {
    const at = await evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: "center", inline: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (at === null) throw new Error(`no element matches ${selector}`);
    return at;
  };
  return {
    requests,
    errors,
    evaluate,
    async click(selector) {
      const { x, y } = await centre(selector);
      await client.Input.dispatchMouseEvent({ type: "mouseMoved", x, y });
      await client.Input.dispatchMouseEvent({ type: "mousePressed", x, y, button: "left", clickCount: 1 });
      await client.Input.dispatchMouseEvent({ type: "mouseReleased", x, y, button: "left", clickCount: 1 });
    },
    async hover(selector) {
      const { x, y } = await centre(selector);
      await client.Input.dispatchMouseEvent({ type: "mouseMoved", x, y });
    },
    async press(key) {
      const code = KEY_CODES[key];
      await client.Input.dispatchKeyEvent({ type: "rawKeyDown", key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
      await client.Input.dispatchKeyEvent({ type: "keyUp", key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
    },
    async screenshot(path) {
      const { data } = await client.Page.captureScreenshot({ format: "png", captureBeyondViewport: true });
      writeFileSync(path, Buffer.from(data, "base64"));
      return path;
    },
  };
}
