/**
 * The page's script, inline and dependency-free: draws the timeline (one lane per thread, one
 * column per step, folds, preemptions, conflict arrows) from the embedded view model, shows the
 * details of the step clicked, hovered or reached with ← / →, expands folds. Plain ES2020 in a
 * string, so the page is the same whichever way interlace was loaded.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var model = JSON.parse(document.getElementById("interlace-model").textContent);
  var svg = document.getElementById("timeline");
  var copy = document.getElementById("copy-replay");
  if (copy) copy.addEventListener("click", function () {
    var text = document.getElementById("replay-command").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
  });
  if (!svg) return;
  var NS = "http://www.w3.org/2000/svg";
  var COL = 40, LANE = 48, BOX = 28, TOP = 36;
  var longest = model.threads.reduce(function (n, t) { return Math.max(n, t.length); }, 0);
  var LEFT = Math.max(70, 24 + 8 * longest);
  var steps = model.steps;
  var expanded = {};
  var foldOf = {};
  model.folds.forEach(function (f, k) { for (var s = f.from; s <= f.to; s++) foldOf[s] = k; });
  var selected = -1;
  var xOf = [];

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function laneY(lane) { return TOP + lane * LANE + LANE / 2; }
  function folded(s) { var k = foldOf[s]; return k !== undefined && !expanded[k]; }

  function columns() {
    var out = [];
    steps.forEach(function (s, i) {
      var k = foldOf[i];
      if (k !== undefined && !expanded[k]) { if (model.folds[k].from === i) out.push({ fold: k }); }
      else out.push({ step: i });
    });
    return out;
  }

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var cols = columns();
    var width = LEFT + cols.length * COL + 24;
    var height = TOP + model.threads.length * LANE + 14;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var defs = el("defs", {}, svg);
    ["write-write", "read-write", "untraced"].forEach(function (kind) {
      var m = el("marker", { id: "arrow-" + kind, "class": kind, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, defs);
      el("path", { d: "M0 0L10 5L0 10z" }, m);
    });
    model.threads.forEach(function (t, lane) {
      el("rect", { "class": "lane-bg" + (lane % 2 ? " odd" : ""), x: 0, y: TOP + lane * LANE, width: width, height: LANE }, svg);
      el("text", { "class": "lane-name", x: 10, y: laneY(lane) + 4 }, svg, t);
    });
    el("rect", { id: "column-mark", "class": "column-mark", x: -100, y: TOP, width: COL, height: model.threads.length * LANE }, svg);
    xOf = [];
    cols.forEach(function (c, k) {
      var x = LEFT + k * COL + COL / 2;
      if (c.fold !== undefined) { var f = model.folds[c.fold]; for (var s = f.from; s <= f.to; s++) xOf[s] = x; }
      else xOf[c.step] = x;
    });
    // Control passing from one thread to the next.
    for (var i = 1; i < steps.length; i++) {
      if (steps[i].lane === steps[i - 1].lane) continue;
      el("line", { "class": "switch", x1: xOf[i - 1], y1: laneY(steps[i - 1].lane), x2: xOf[i], y2: laneY(steps[i].lane) }, svg);
    }
    steps.forEach(function (s, i) {
      if (!s.preemption) return;
      var x = xOf[i] - COL / 2;
      el("line", { "class": "preempt-line", "data-step": i, x1: x, y1: TOP - 6, x2: x, y2: TOP + model.threads.length * LANE }, svg);
      el("path", { "class": "preempt-flag", d: "M" + (x - 5) + " " + (TOP - 14) + "h10l-5 8z" }, svg).appendChild(titleOf("preemption: " + s.thread + " ran although " + (i > 0 ? steps[i - 1].thread : "another thread") + " could go on"));
    });
    steps.forEach(function (s, i) {
      var cls = "step gate-" + s.gate + (s.arrows.length ? " conflict" : "") + (s.preemption ? " preemption" : "") + (folded(i) ? " folded" : "");
      var g = el("g", { "class": cls, "data-step": i, "data-thread": s.thread, "data-lane": s.lane }, svg);
      el("rect", { x: xOf[i] - BOX / 2, y: laneY(s.lane) - BOX / 2, width: BOX, height: BOX, rx: 4 }, g);
      el("text", { x: xOf[i], y: laneY(s.lane) + 4, "text-anchor": "middle" }, g, String(s.n));
      g.appendChild(titleOf(s.n + "  " + s.thread + "  " + s.what + (s.where ? "  " + s.where : "") + (s.text ? "\n" + s.text : "")));
    });
    cols.forEach(function (c) {
      if (c.fold === undefined) return;
      var f = model.folds[c.fold];
      var g = el("g", { "class": "fold", "data-fold": c.fold, "data-lane": f.lane }, svg);
      el("rect", { x: xOf[f.from] - BOX / 2 - 2, y: laneY(f.lane) - BOX / 2, width: BOX + 4, height: BOX, rx: 4 }, g);
      el("text", { x: xOf[f.from], y: laneY(f.lane) + 4, "text-anchor": "middle" }, g, "+" + f.count);
      g.appendChild(titleOf("steps " + (f.from + 1) + "–" + (f.to + 1) + " of " + model.threads[f.lane] + " (click to expand)"));
    });
    model.arrows.forEach(function (a, k) {
      var x1 = xOf[a.from], x2 = xOf[a.to], l1 = steps[a.from].lane, l2 = steps[a.to].lane;
      var y1 = laneY(l1), y2 = laneY(l2), d;
      if (l1 === l2) {
        var top = y1 - BOX / 2;
        d = "M" + x1 + " " + top + "C" + x1 + " " + (top - 24) + " " + x2 + " " + (top - 24) + " " + x2 + " " + (top - 2);
      } else {
        var down = y2 > y1 ? 1 : -1;
        var sy = y1 + down * BOX / 2, ey = y2 - down * (BOX / 2 + 2), mid = (sy + ey) / 2;
        d = "M" + x1 + " " + sy + "C" + x1 + " " + mid + " " + x2 + " " + mid + " " + x2 + " " + ey;
      }
      var p = el("path", { "class": "arrow " + a.kind, "data-arrow": k, "data-from": a.from, "data-to": a.to, d: d, "marker-end": "url(#arrow-" + a.kind + ")" }, svg);
      p.appendChild(titleOf(a.sentence));
    });
    if (selected >= 0) mark(selected);
  }

  function titleOf(text) { var t = document.createElementNS(NS, "title"); t.textContent = text; return t; }

  function mark(i) {
    var nodes = svg.querySelectorAll(".step.selected");
    for (var n = 0; n < nodes.length; n++) nodes[n].classList.remove("selected");
    var node = svg.querySelector('.step[data-step="' + i + '"]');
    if (node) node.classList.add("selected");
    var arrows = svg.querySelectorAll(".arrow");
    for (var a = 0; a < arrows.length; a++) {
      var on = arrows[a].getAttribute("data-from") === String(i) || arrows[a].getAttribute("data-to") === String(i);
      arrows[a].classList.toggle("active", on);
    }
    var column = document.getElementById("column-mark");
    if (column) column.setAttribute("x", xOf[i] - COL / 2);
    return node;
  }

  function select(i) {
    if (i < 0 || i >= steps.length) return;
    var k = foldOf[i];
    if (k !== undefined && !expanded[k]) { expanded[k] = true; draw(); }
    selected = i;
    var node = mark(i);
    show(i);
    if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function show(i) {
    var s = steps[i];
    document.getElementById("details-title").textContent =
      "Step " + s.n + " of " + steps.length + " · " + s.thread + " · " + s.what + (s.preemption ? " · preemption" : "");
    document.getElementById("details-where").textContent = s.where || "(position unknown: the thread's start)";
    var source = document.getElementById("details-source");
    source.textContent = "";
    var snippet = s.snippet === null ? null : model.snippets[s.snippet];
    if (snippet) {
      snippet.lines.forEach(function (line, k) {
        var no = snippet.start + k;
        var row = document.createElement("span");
        row.className = "src-line" + (no === snippet.line ? " current" : "");
        var num = document.createElement("span");
        num.className = "src-no";
        num.textContent = String(no);
        row.appendChild(num);
        row.appendChild(document.createTextNode(line));
        source.appendChild(row);
      });
    } else if (s.text) {
      var only = document.createElement("span");
      only.className = "src-line current";
      only.textContent = s.text;
      source.appendChild(only);
    }
    var table = document.getElementById("details-accesses");
    table.textContent = "";
    if (s.accesses.length) {
      var head = table.insertRow();
      ["thread", "access", "resource", "value"].forEach(function (h) { var th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
      s.accesses.forEach(function (a) {
        var row = table.insertRow();
        row.className = "access" + (a.conflicting ? " conflicting" : "");
        row.insertCell().textContent = a.thread;
        row.insertCell().textContent = a.op;
        var res = row.insertCell();
        res.className = "resource";
        res.textContent = a.resource;
        if (a.location !== a.resource) { var loc = document.createElement("span"); loc.className = "location"; loc.textContent = "  " + a.location; res.appendChild(loc); }
        if (a.origin) res.appendChild(document.createTextNode("  (" + a.origin + ")"));
        var value = row.insertCell();
        value.className = "value";
        value.textContent = a.value === null ? "" : a.value;
      });
    }
    var list = document.getElementById("details-conflicts");
    list.textContent = "";
    s.arrows.forEach(function (k) { var li = document.createElement("li"); li.textContent = model.arrows[k].sentence; list.appendChild(li); });
  }

  svg.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest(".step, .fold") : null;
    if (!target) return;
    if (target.classList.contains("fold")) {
      var k = Number(target.getAttribute("data-fold"));
      expanded[k] = true;
      draw();
      select(model.folds[k].from);
      return;
    }
    select(Number(target.getAttribute("data-step")));
  });
  // Hovering previews a step; only a real move of the mouse counts (not the events a relayout fires).
  var lastMouse = "";
  svg.addEventListener("mousemove", function (event) {
    var at = event.clientX + "," + event.clientY;
    if (at === lastMouse) return;
    lastMouse = at;
    var target = event.target.closest ? event.target.closest(".step") : null;
    if (target) show(Number(target.getAttribute("data-step")));
    else if (selected >= 0) show(selected);
  });
  svg.addEventListener("mouseleave", function () { if (selected >= 0) show(selected); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var next = event.key === "ArrowRight" ? selected + 1 : event.key === "ArrowLeft" ? selected - 1
      : event.key === "Home" ? 0 : event.key === "End" ? steps.length - 1 : null;
    if (next === null) return;
    event.preventDefault();
    select(Math.max(0, Math.min(steps.length - 1, next)));
  });
  draw();
  var first = model.arrows.length ? model.arrows[0].to : -1;
  if (first >= 0) select(first);
})();
`.trim();
