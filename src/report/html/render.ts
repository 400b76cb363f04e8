/**
 * The HTML page of a report: one self-contained file (inline style, script and SVG; nothing
 * fetched). The parts that do not move are written here; the timeline and the step details are
 * drawn by the page's script (`script.ts`) from the view model, embedded as JSON. Pure, and
 * deterministic: the same model gives the same bytes.
 */
import { cycleSVG } from "./cycle.js";
import { escapeHTML as h, scriptJSON } from "./escape.js";
import type { ReportModel } from "./model.js";
import { CLIENT_SCRIPT } from "./script.js";
import { STYLE } from "./style.js";

/** The page of a report. */
export function renderReport(model: ReportModel): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    // Nothing may be fetched, not even a favicon.
    '<link rel="icon" href="data:,">',
    `<meta name="generator" content="interlace report v${model.version}">`,
    `<title>${h(model.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body class="verdict-${model.verdict}">`,
    header(model),
    deadlock(model),
    summary(model),
    timeline(model),
    extras(model),
    `<script type="application/json" id="interlace-model">${scriptJSON(model)}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function header(m: ReportModel): string {
  const mark = m.verdict === "violated" ? "✗" : "✓";
  const out = [
    '<header id="report-header">',
    `<h1><span class="mark">${mark}</span> <span id="headline">${h(m.headline)}</span></h1>`,
    `<p class="scenario">${h(m.scenario)}</p>`,
  ];
  if (m.failure !== null) out.push(`<pre id="failure" class="failure" data-kind="${h(m.failure.kind)}">${h(m.failure.message)}</pre>`);
  if (m.classification !== null) {
    out.push(
      `<p id="classification" data-name="${h(m.classification.name)}"><span class="badge">${h(m.classification.name)}</span> ${h(m.classification.detail)}</p>`,
    );
  }
  if (m.conflicts.length > 0) out.push(`<ul id="conflicts">${m.conflicts.map((c) => `<li>${h(c)}</li>`).join("")}</ul>`);
  if (m.facts.length > 0) out.push(`<dl id="facts" class="facts">${pairs(m.facts)}</dl>`);
  if (m.replayCommand !== null) {
    out.push(`<p class="replay">Replay it: <code id="replay-command">${h(m.replayCommand)}</code> <button type="button" id="copy-replay">copy</button></p>`);
  }
  out.push("</header>");
  return out.join("\n");
}

function pairs(items: ReadonlyArray<{ label: string; value: string }>): string {
  return items.map((f) => `<div data-label="${h(f.label)}"><dt>${h(f.label)}</dt><dd>${h(f.value)}</dd></div>`).join("");
}

function deadlock(m: ReportModel): string {
  if (m.deadlock === null) return "";
  const d = m.deadlock;
  const waits = d.waits.map((w) => {
    const what = w.lock === null ? "waits" : `waits for <b>${h(w.lock)}</b>${w.holder === null ? "" : `, held by <b>${h(w.holder)}</b>`}`;
    return `<li data-thread="${h(w.thread)}"><b>${h(w.thread)}</b> ${what}, at <code>${h(w.at)}</code></li>`;
  });
  const cycle = d.cycle.length === 0 ? "<p>No wait-for cycle: some thread waits for something no lock explains.</p>" : cycleSVG(d);
  const chain = d.cycle.length === 0 ? "" : `<p id="cycle-chain">${d.cycle.map((w) => `${h(w.thread)} → ${h(w.lock ?? "?")} (held by ${h(w.holder ?? "?")})`).join(", ")}</p>`;
  return `<section id="deadlock"><h2>Wait-for cycle</h2>${chain}<div class="cycle">${cycle}</div><ul id="waits">${waits.join("")}</ul></section>`;
}

function summary(m: ReportModel): string {
  if (m.summary === null) return "";
  const s = m.summary;
  const why = s.incomplete.length === 0 ? "" : `<ul id="incomplete">${s.incomplete.map((x) => `<li>${h(x)}</li>`).join("")}</ul>`;
  const title = m.failure === null ? "" : `<p class="summary-headline">${h(s.headline)}</p>`;
  return `<section id="summary" data-complete="${s.complete}"><h2>Search</h2>${title}<dl class="facts">${pairs(s.figures)}</dl>${why}</section>`;
}

function timeline(m: ReportModel): string {
  if (m.steps.length === 0) return "";
  const preemptions = m.steps.filter((s) => s.preemption).length;
  return [
    '<section id="timeline-section">',
    `<h2>Interleaving <small>${m.steps.length} steps, ${m.threads.length} threads, ${preemptions} preemption${preemptions === 1 ? "" : "s"}</small></h2>`,
    '<p class="legend"><span class="key key-preempt">preemption</span> <span class="key key-ww">write → write</span> ' +
      '<span class="key key-rw">read ↔ write</span> <span class="key key-fold">folded steps (click to expand)</span> <span class="hint">← → move through steps</span></p>',
    '<div class="timeline-scroll" id="timeline-scroll" tabindex="0"><svg id="timeline" role="img" aria-label="timeline"></svg></div>',
    '<section id="details" aria-live="polite"><h3 id="details-title">Click a step (or press →)</h3><p id="details-where"></p>' +
      '<pre id="details-source"></pre><table id="details-accesses"></table><ul id="details-conflicts"></ul></section>',
    "</section>",
  ].join("\n");
}

function extras(m: ReportModel): string {
  const out: string[] = [];
  if (m.explanation !== null) out.push(`<details id="explanation"><summary>Text explanation</summary><pre>${h(m.explanation)}</pre></details>`);
  if (m.counterexample !== null) out.push(`<details id="counterexample"><summary>Counterexample (JSON)</summary><pre>${h(m.counterexample)}</pre></details>`);
  return out.length === 0 ? "" : `<footer>${out.join("\n")}</footer>`;
}
