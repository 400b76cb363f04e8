/**
 * `--report`: the HTML report as users get it (bin/interlace.js over dist/), opened from disk in
 * headless Chromium and checked in the DOM: lanes, steps, conflict arrows and the steps they join,
 * the source line of a clicked step, ← / →, the wait-for cycle of a deadlock, the summary of an
 * exploration that holds, no network request, light and dark themes. Plus byte-identical pages
 * for the same counterexample replayed twice, and a long synthetic trace for folding.
 *
 * Screenshots go to test-results/report-html/ (printed below).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Counterexample } from "../../src/engine/counterexample.js";
import type { ExploreStep } from "../../src/engine/task-explore.js";
import { buildModel } from "../../src/report/html/model.js";
import { renderReport } from "../../src/report/html/render.js";
import { launchChromium, type Browser, type Page } from "./chromium.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const shots = join(root, "test-results", "report-html");
const tmp = mkdtempSync(join(tmpdir(), "interlace-report-html-"));
const BANK = "examples/bank/scenario.ts";
const COUNTER = "examples/async-counter/scenario.ts";
const DEADLOCK = "test/report-html/fixtures/deadlock-scenario.ts";
const SAFE = "fixtures/cli/tasks-safe-scenario.ts";
const SQLITE = "test/report-html/fixtures/sqlite-scenario.mjs";

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

function interlace(...args: string[]): Promise<Cli> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const file = (name: string): string => join(tmp, name);
const counterexampleOf = (name: string): Counterexample => JSON.parse(readFileSync(file(name), "utf8")) as Counterexample;

/** Conflicts as the text explanation states them: [first step, second step] (1-based), by kind. */
function statedConflicts(text: string): Array<{ kind: string; steps: [number, number] }> {
  const out: Array<{ kind: string; steps: [number, number] }> = [];
  // Resource conflicts add the statement after the step numbers: "(steps 5 and 6, both UPDATE …)", "(step 1: SELECT …)".
  for (const m of text.matchAll(/Write-write conflict: .*\(steps (\d+) and (\d+)[,)]/g)) out.push({ kind: "write-write", steps: [Number(m[1]), Number(m[2])] });
  for (const m of text.matchAll(/Read-write conflict: thread \S+ read .* \(step (\d+)[:)].* and thread \S+ wrote it \(step (\d+)[:)]/g)) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    out.push({ kind: "read-write", steps: [Math.min(a, b), Math.max(a, b)] });
  }
  return out;
}

/** What the page shows, read from the DOM. */
interface Shown {
  lanes: string[];
  steps: Array<{ step: number; thread: string }>;
  /** Each arrow, with the steps whose boxes its two ends touch (found from the geometry, not the data attributes). */
  arrows: Array<{ kind: string; from: number; to: number; touches: [number | null, number | null] }>;
  selected: number | null;
  title: string;
  where: string;
  current: string;
}

const SHOWN = `(() => {
  const boxOf = (pt) => {
    for (const g of document.querySelectorAll("#timeline .step:not(.folded)")) {
      const r = g.querySelector("rect");
      const x = +r.getAttribute("x"), y = +r.getAttribute("y"), w = +r.getAttribute("width"), h = +r.getAttribute("height");
      if (pt.x >= x - 1 && pt.x <= x + w + 1 && pt.y >= y - 6 && pt.y <= y + h + 6) return +g.dataset.step;
    }
    return null;
  };
  const current = document.querySelector("#details-source .current");
  return {
    lanes: [...document.querySelectorAll("#timeline .lane-name")].map((t) => t.textContent),
    steps: [...document.querySelectorAll("#timeline .step")].map((g) => ({ step: +g.dataset.step, thread: g.dataset.thread })),
    arrows: [...document.querySelectorAll("#timeline .arrow")].map((p) => ({
      kind: [...p.classList].find((c) => c !== "arrow" && c !== "active"),
      from: +p.dataset.from,
      to: +p.dataset.to,
      touches: [boxOf(p.getPointAtLength(0)), boxOf(p.getPointAtLength(p.getTotalLength()))],
    })),
    selected: document.querySelector("#timeline .step.selected") ? +document.querySelector("#timeline .step.selected").dataset.step : null,
    title: document.getElementById("details-title").textContent,
    where: document.getElementById("details-where").textContent,
    current: current ? current.textContent.replace(/^\\d+/, "") : "",
  };
})()`;

const shown = (page: Page): Promise<Shown> => page.evaluate<Shown>(SHOWN);

/** 1-based line `line` of a file of the repository. */
const sourceLine = (path: string, line: number): string => readFileSync(join(root, path), "utf8").split("\n")[line - 1]!;

/** Only the report itself was loaded: no network, no other file. */
function expectNoRequests(page: Page, html: string): void {
  const others = page.requests.filter((url) => url !== pathToFileURL(html).href && !url.startsWith("data:"));
  expect(others, "requests made by the page").toEqual([]);
  expect(page.errors, "errors in the page").toEqual([]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = await page.screenshot(join(shots, name));
  console.log(`report screenshot: ${path}`);
}

let browser: Browser;
const runs: Record<string, Cli> = {};

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const launched = launchChromium();
  // The explorations run side by side (the bank's workers are the slowest, ~6 s).
  const [bank, counter, deadlock, safe, sampled, sqlite] = await Promise.all([
    interlace("explore", BANK, "--seed", "1", "--save", file("bank.json"), "--report", file("bank.html")),
    interlace("explore", COUNTER, "--seed", "1", "--save", file("counter.json"), "--report", file("counter.html")),
    interlace("explore", DEADLOCK, "--strategy", "dpor", "--save", file("deadlock.json"), "--report", file("deadlock.html")),
    interlace("explore", SAFE, "--strategy", "dpor", "--report", file("safe.html"), "--json"),
    interlace("explore", SAFE, "--strategy", "random", "--seed", "3", "--max-attempts", "5", "--report", file("nested/dir/sampled.html"), "--json"),
    interlace("explore", SQLITE, "--strategy", "dpor", "--save", file("sqlite.json"), "--report", file("sqlite.html")),
  ]);
  Object.assign(runs, { bank, counter, deadlock, safe, sampled, sqlite });
  browser = await launched;
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

describe("the report of a race on a SQL row (better-sqlite3, task threads)", () => {
  it("joins the two UPDATEs and the SELECT to the UPDATE on the row, and shows the statements", async () => {
    expect(runs.sqlite!.code, runs.sqlite!.stderr).toBe(1);
    const c = counterexampleOf("sqlite.json");
    const page = await browser.open(file("sqlite.html"));
    try {
      const s = await shown(page);
      expect(s.lanes).toEqual(["a", "b"]);
      expect(s.steps.map((x) => x.thread)).toEqual(c.decisions);
      const stated = statedConflicts(runs.sqlite!.stdout);
      expect(stated.map((x) => x.kind).sort()).toEqual(["read-write", "write-write"]);
      expect(s.arrows.map((a) => ({ kind: a.kind, steps: [a.from + 1, a.to + 1] })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(
        stated.sort((a, b) => a.kind.localeCompare(b.kind)),
      );
      for (const a of s.arrows) expect(a.touches).toEqual([a.from, a.to]);
      expect(await page.evaluate<string>("document.body.innerText")).toContain("SQL row c(id=1)");
      const ww = s.arrows.find((a) => a.kind === "write-write")!;
      await page.click(`#timeline .step[data-step="${ww.to}"]`);
      const accesses = await page.evaluate<string>("[...document.querySelectorAll('#details-accesses tr.access td')].map((td) => td.textContent).join(' ')");
      expect(accesses).toMatch(/write SQL row c\(id=1\)/);
      expect(accesses).toContain("UPDATE c SET n = ? WHERE id = 1");
      await screenshot(page, "sqlite.png");
      expectNoRequests(page, file("sqlite.html"));
    } finally {
      await page.close();
    }
  });
});

describe("the report of a worker race (examples/bank)", () => {
  it("has one lane per thread, one box per step, the arrows of the conflicts the explanation states", async () => {
    expect(runs.bank!.code, runs.bank!.stderr).toBe(1);
    expect(runs.bank!.stderr).toContain(`wrote the report to ${file("bank.html")}`);
    const c = counterexampleOf("bank.json");
    const page = await browser.open(file("bank.html"));
    try {
      const s = await shown(page);
      expect(s.lanes).toEqual(c.threads);
      expect(s.steps.map((x) => x.thread)).toEqual(c.decisions);
      const stated = statedConflicts(runs.bank!.stdout);
      expect(stated.map((x) => x.kind).sort()).toEqual(["read-write", "write-write"]);
      expect(s.arrows.map((a) => ({ kind: a.kind, steps: [a.from + 1, a.to + 1] })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(
        stated.sort((a, b) => a.kind.localeCompare(b.kind)),
      );
      // Each arrow is drawn from the box of its first step to the box of its second, across lanes.
      for (const a of s.arrows) {
        expect(a.touches).toEqual([a.from, a.to]);
        expect(c.decisions[a.from]).not.toBe(c.decisions[a.to]);
      }
      const text = await page.evaluate<string>("document.body.innerText");
      expect(text).toContain("lost update");
      expect(text).toMatch(/Reproduced\s*10\/10/);
      expect(text).toContain(`interlace replay ${BANK} ${file("bank.json")}`);
      expect(text).toMatch(/Seed\s*1/);
      expect(await page.evaluate("document.querySelectorAll('#timeline .preempt-line').length")).toBe(1);

      // Clicking the step of the lost write shows its source line, with context, and its access.
      const ww = s.arrows.find((a) => a.kind === "write-write")!;
      await page.click(`#timeline .step[data-step="${ww.to}"]`);
      const clicked = await shown(page);
      expect(clicked.selected).toBe(ww.to);
      expect(clicked.where).toMatch(/^examples\/bank\/account\.ts:10:\d+$/);
      expect(clicked.current).toBe(sourceLine("examples/bank/account.ts", 10));
      expect(await page.evaluate("document.querySelectorAll('#details-source .src-line').length")).toBeGreaterThan(3);
      expect(await page.evaluate("[...document.querySelectorAll('#details-accesses tr.access td')].map((td) => td.textContent).join(' ')")).toMatch(
        /write balance\[0\].* 150/,
      );

      // ← and → move the selection and the details with it.
      await page.press("ArrowLeft");
      expect((await shown(page)).selected).toBe(ww.to - 1);
      await page.press("ArrowLeft");
      const back = await shown(page);
      expect(back.selected).toBe(ww.to - 2);
      expect(back.title).toContain(`Step ${ww.to - 1} of ${c.decisions.length}`);
      await page.press("ArrowRight");
      expect((await shown(page)).selected).toBe(ww.to - 1);
      await page.press("Home");
      expect((await shown(page)).selected).toBe(0);
      await page.press("ArrowLeft");
      expect((await shown(page)).selected).toBe(0);

      await page.click(`#timeline .step[data-step="${ww.to}"]`);
      await screenshot(page, "bank.png");
      expectNoRequests(page, file("bank.html"));
    } finally {
      await page.close();
    }
  });

  it("follows the browser's dark theme", async () => {
    const light = await browser.open(file("bank.html"));
    const dark = await browser.open(file("bank.html"), { dark: true });
    try {
      const background = "getComputedStyle(document.body).backgroundColor";
      expect(await dark.evaluate(background)).not.toBe(await light.evaluate(background));
      await screenshot(dark, "bank-dark.png");
      expectNoRequests(dark, file("bank.html"));
    } finally {
      await light.close();
      await dark.close();
    }
  });

  it("is byte-identical for the same counterexample replayed twice", async () => {
    const [first, second] = await Promise.all([
      interlace("replay", BANK, file("bank.json"), "--report", file("replay-1.html")),
      interlace("replay", BANK, file("bank.json"), "--report", file("replay-2.html")),
    ]);
    expect([first.code, second.code], first.stderr + second.stderr).toEqual([1, 1]);
    const a = readFileSync(file("replay-1.html"));
    expect(a.equals(readFileSync(file("replay-2.html")))).toBe(true);
    const html = a.toString();
    expect(html).toContain(`interlace replay ${BANK} ${file("bank.json")}`);
    // No URL but the SVG namespace the script creates elements in.
    expect(html.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, "")).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(?:link|script|img)[^>]+(?:href|src)="(?!data:)/);
  });
});

describe("the report of a task race (examples/async-counter)", () => {
  it("shows the task lanes, the arrows, and the source line of a clicked await", async () => {
    expect(runs.counter!.code, runs.counter!.stderr).toBe(1);
    const c = counterexampleOf("counter.json");
    const page = await browser.open(file("counter.html"));
    try {
      const s = await shown(page);
      expect(s.lanes).toEqual(["task1", "task2"]);
      expect(s.steps.map((x) => x.thread)).toEqual(c.decisions);
      expect(s.arrows.length).toBeGreaterThan(0);
      const stated = statedConflicts(runs.counter!.stdout);
      expect(s.arrows.map((a) => [a.from + 1, a.to + 1]).sort()).toEqual(stated.map((x) => x.steps).sort());
      for (const a of s.arrows) expect(a.touches).toEqual([a.from, a.to]);
      const model = await page.evaluate<{ steps: Array<{ where: string | null }> }>("JSON.parse(document.getElementById('interlace-model').textContent)");
      const withSource = model.steps.findIndex((x) => x.where !== null);
      await page.click(`#timeline .step[data-step="${withSource}"]`);
      const clicked = await shown(page);
      const [path, line] = clicked.where.split(":");
      expect(path).toBe("examples/async-counter/counter.ts");
      expect(clicked.current).toBe(sourceLine(path!, Number(line)));
      await screenshot(page, "counter.png");
      expectNoRequests(page, file("counter.html"));
    } finally {
      await page.close();
    }
  });
});

describe("the report of a deadlock", () => {
  it("draws the wait-for cycle the failure states", async () => {
    expect(runs.deadlock!.code, runs.deadlock!.stderr).toBe(1);
    const cycle = /Cycle: (.*)\./.exec(runs.deadlock!.stdout)![1]!;
    const edges = [...cycle.matchAll(/(\w+) waits for (\w+) \(held by (\w+)\)/g)].map((m) => [m[1], m[3]]);
    expect(edges).toHaveLength(3);
    const page = await browser.open(file("deadlock.html"));
    try {
      const s = await shown(page);
      expect(s.lanes).toEqual(["p0", "p1", "p2"]);
      expect(s.steps).toHaveLength(counterexampleOf("deadlock.json").decisions.length);
      const drawn = await page.evaluate<string[][]>("[...document.querySelectorAll('#deadlock .wait-edge')].map((p) => [p.dataset.from, p.dataset.to])");
      expect(drawn.sort()).toEqual(edges.sort());
      expect(await page.evaluate("document.querySelectorAll('#deadlock .wait-node').length")).toBe(3);
      expect(await page.evaluate("document.getElementById('headline').textContent")).toBe("Deadlock");
      await page.press("ArrowRight");
      expect((await shown(page)).selected).toBe(0);
      await page.press("End");
      expect((await shown(page)).selected).toBe(s.steps.length - 1);
      await screenshot(page, "deadlock.png");
      expectNoRequests(page, file("deadlock.html"));
    } finally {
      await page.close();
    }
  });
});

describe("the report of an exploration that holds", () => {
  it.each([
    ["dpor", "safe", "safe.html"],
    ["random", "sampled", "nested/dir/sampled.html"],
  ])("%s: a summary page, complete only when the result says so", async (strategy, run, name) => {
    const cli = runs[run]!;
    expect(cli.code, cli.stderr).toBe(0);
    const json = JSON.parse(cli.stdout) as { searchComplete: boolean; numExplored: number; strategy: string };
    const page = await browser.open(file(name));
    try {
      const summary = await page.evaluate<{ complete: string; text: string; steps: number }>(
        `({ complete: document.getElementById("summary").dataset.complete, text: document.body.innerText, steps: document.querySelectorAll("#timeline .step").length })`,
      );
      expect(summary.complete).toBe(String(json.searchComplete));
      expect(summary.steps).toBe(0);
      expect(summary.text).toContain(`The property holds over ${json.numExplored}`);
      expect(summary.text).toMatch(new RegExp(`Strategy\\s*${strategy}`));
      if (json.searchComplete) expect(summary.text).toMatch(/Search\s*complete/);
      else {
        expect(summary.text).toMatch(/Search\s*not complete/);
        expect(summary.text.replace(/not complete/g, "")).not.toMatch(/\bcomplete\b/);
        expect(await page.evaluate("document.querySelectorAll('#incomplete li').length")).toBeGreaterThan(0);
      }
      if (strategy === "random") expect(json.searchComplete).toBe(false);
      expectNoRequests(page, file(name));
    } finally {
      await page.close();
    }
  });
});

describe("a long trace", () => {
  // 3 threads, 240 steps in runs of 20, one conflict between the middle of two runs; markup in
  // source text and values, which must come out as text.
  const threads = ["a", "b", "c"];
  const steps: ExploreStep[] = Array.from({ length: 240 }, (_, i) => {
    const task = threads[Math.floor(i / 20) % 3]!;
    const step: ExploreStep = {
      task,
      gate: "statement",
      preemption: i % 20 === 0 && i > 0,
      where: { file: "src/nowhere.ts", line: i + 1, column: 0, text: `x = "</script><img src=x onerror=alert(1)>" // ${i}` },
    };
    if (i === 30) step.accesses = [{ thread: task, op: "read", location: "obj#1.v", label: "Box.v", value: "<b>0</b>" }];
    if (i === 50) step.accesses = [{ thread: task, op: "write", location: "obj#1.v", label: "Box.v", value: "1" }];
    return step;
  });
  const counterexample: Counterexample = {
    format: "interlace-counterexample",
    version: 1,
    scenario: "long",
    kind: "task",
    threads,
    decisions: steps.map((s) => s.task),
    strategy: "random",
    seed: 7,
    attempt: 0,
    sources: [],
    failure: { kind: "invariant", message: "invariant returned false </script>" },
  };

  it("folds the steps of one thread between two switches; a click or ← / → unfolds them", async () => {
    const html = renderReport(
      buildModel({ command: "replay", scenario: "long", counterexample, steps, reproduced: { failures: 1, attempts: 1 }, counterexampleFile: null, explanation: null, search: null, source: () => null }),
    );
    writeFileSync(file("long.html"), html);
    const page = await browser.open(file("long.html"));
    try {
      const count = (selector: string): Promise<number> => page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
      expect(await count("#timeline .step")).toBe(240);
      expect(await count("img")).toBe(0);
      const folds = await count("#timeline .fold");
      expect(folds).toBe(12 + 2); // one per run of 20; the two runs with a conflict end in them are split around it
      const visible = await count("#timeline .step:not(.folded)");
      expect(visible).toBeLessThan(60);
      // The conflict's ends stay visible: the arrow joins steps 31 and 51.
      const s = await shown(page);
      expect(s.arrows.map((a) => [a.from, a.to, ...a.touches])).toEqual([[30, 50, 30, 50]]);
      // → from the first step enters a fold, which opens.
      await page.click('#timeline .step[data-step="0"]');
      await page.press("ArrowRight");
      expect((await shown(page)).selected).toBe(1);
      expect(await count("#timeline .step:not(.folded)")).toBeGreaterThan(visible);
      const before = await count("#timeline .step:not(.folded)");
      await page.click("#timeline .fold");
      expect(await count("#timeline .step:not(.folded)")).toBeGreaterThan(before);
      const text = await page.evaluate<string>("document.getElementById('details-source').textContent");
      expect(text).toContain("</script><img src=x onerror=alert(1)>");
      await screenshot(page, "long.png");
      expectNoRequests(page, file("long.html"));
    } finally {
      await page.close();
    }
  });
});
