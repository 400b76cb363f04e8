/** The report's stylesheet: light and dark themes follow the browser (`prefers-color-scheme`). */
export const STYLE = `
:root{--bg:#fbfbfc;--fg:#1d2330;--muted:#5d6576;--panel:#ffffff;--line:#d9dde5;--lane:#f1f3f7;--lane2:#e9ecf2;
--step:#ffffff;--step-line:#8790a3;--sel:#2f6fde;--ww:#d12f2f;--rw:#d97a00;--untraced:#7b8190;--preempt:#8a3ffc;
--ok:#1f8a4c;--bad:#c62828;--code:#f3f4f7;--current:#fff1b8;--conflict:#fde4e4;--fold:#e3e7ef}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e3e6ec;--muted:#99a1b2;--panel:#1b1f27;--line:#323845;
--lane:#1e232c;--lane2:#232934;--step:#262c37;--step-line:#7b849a;--sel:#6ea2ff;--ww:#ff6b6b;--rw:#ffab40;
--untraced:#9aa1b1;--preempt:#b48cff;--ok:#4cc27f;--bad:#ff6b6b;--code:#20252e;--current:#4a4120;--conflict:#4a2326;--fold:#2c3340}}
*{box-sizing:border-box}
body{margin:0;padding:20px 28px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px}h2 small{color:var(--muted);font-weight:normal;font-size:13px}
h3{font-size:14px;margin:0 0 6px}section>h2:first-child{margin-top:0}
.verdict-violated .mark{color:var(--bad)}.verdict-holds .mark,.verdict-not-reproduced .mark{color:var(--ok)}
.scenario{color:var(--muted);margin:0 0 10px;font-family:ui-monospace,Menlo,Consolas,monospace}
pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
pre.failure{background:var(--code);border-left:3px solid var(--bad);padding:8px 12px;white-space:pre-wrap;margin:8px 0}
.badge{display:inline-block;background:var(--bad);color:#fff;border-radius:4px;padding:0 7px;font-weight:600;margin-right:4px}
#conflicts{margin:6px 0;padding-left:20px}
.facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:10px 0}.facts div{display:flex;gap:6px}
.facts dt{color:var(--muted)}.facts dd{margin:0;font-weight:600}
.replay code{background:var(--code);padding:2px 6px;border-radius:4px}
button{font:inherit;font-size:12px;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;cursor:pointer}
section#deadlock,section#summary,section#details,footer details{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:12px 0}
#summary[data-complete=false] #incomplete{color:var(--muted)}
.wait-cycle .wait-node circle{fill:var(--step);stroke:var(--bad);stroke-width:2}
.wait-cycle text{fill:var(--fg);font-size:13px}.wait-cycle .wait-label{fill:var(--muted);font-size:12px}
.wait-cycle .wait-edge{fill:none;stroke:var(--bad);stroke-width:2}.wait-cycle marker path{fill:var(--bad)}
.legend{color:var(--muted);font-size:12px;display:flex;gap:14px;flex-wrap:wrap;margin:4px 0 8px}
.key::before{content:"";display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px;background:var(--muted)}
.key-preempt::before{background:var(--preempt)}.key-ww::before{background:var(--ww)}.key-rw::before{background:var(--rw)}
.key-fold::before{background:var(--fold);height:10px}.hint{margin-left:auto}
.timeline-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px;background:var(--panel);outline:none}
.timeline-scroll:focus-visible{box-shadow:0 0 0 2px var(--sel)}
#timeline{display:block}
#timeline .lane-bg{fill:var(--lane)}#timeline .lane-bg.odd{fill:var(--lane2)}
#timeline .lane-name{fill:var(--fg);font:600 13px ui-monospace,Menlo,Consolas,monospace}
#timeline .step rect{fill:var(--step);stroke:var(--step-line);stroke-width:1}
#timeline .step text,#timeline .fold text{fill:var(--fg);font:11px ui-monospace,Menlo,Consolas,monospace;pointer-events:none}
#timeline .step{cursor:pointer}#timeline .step.folded{display:none}
#timeline .step.conflict rect{fill:var(--conflict);stroke:var(--ww)}
#timeline .step.gate-start rect{stroke-dasharray:3 2}
#timeline .step:hover rect{stroke:var(--sel)}
#timeline .step.selected rect{stroke:var(--sel);stroke-width:3}
#timeline .column-mark{fill:var(--sel);opacity:.12}
#timeline .preempt-line{stroke:var(--preempt);stroke-width:2;stroke-dasharray:4 3}
#timeline .preempt-flag{fill:var(--preempt)}
#timeline .fold{cursor:pointer}#timeline .fold rect{fill:var(--fold);stroke:var(--step-line);stroke-dasharray:2 2}
#timeline .switch{stroke:var(--step-line);stroke-width:1;opacity:.5;fill:none}
#timeline .arrow{fill:none;stroke-width:2}
#timeline .arrow.write-write{stroke:var(--ww)}#timeline .arrow.read-write{stroke:var(--rw)}
#timeline .arrow.untraced{stroke:var(--untraced);stroke-dasharray:5 3}
#timeline marker.write-write path{fill:var(--ww)}#timeline marker.read-write path{fill:var(--rw)}#timeline marker.untraced path{fill:var(--untraced)}
#timeline .arrow.active{stroke-width:3.5}
#details-where{font-family:ui-monospace,Menlo,Consolas,monospace;color:var(--muted);margin:0 0 6px}
#details-source{background:var(--code);padding:6px 0;margin:0 0 8px;overflow-x:auto}
#details-source:empty{display:none}
#details-source .src-line{display:block;padding:0 10px;white-space:pre}
#details-source .src-line.current{background:var(--current)}
#details-source .src-no{display:inline-block;width:4em;color:var(--muted);text-align:right;margin-right:12px;user-select:none}
#details-accesses{border-collapse:collapse;font-size:12.5px;margin-bottom:6px}
#details-accesses th,#details-accesses td{text-align:left;padding:2px 12px 2px 0;border-bottom:1px solid var(--line)}
#details-accesses td.resource,#details-accesses td.value{font-family:ui-monospace,Menlo,Consolas,monospace}
#details-accesses tr.conflicting td{color:var(--bad)}
#details-accesses .location{color:var(--muted)}
#details-conflicts{margin:0;padding-left:18px}
footer pre{white-space:pre-wrap;margin:6px 0 0}footer summary{cursor:pointer;font-weight:600}
`.trim();
