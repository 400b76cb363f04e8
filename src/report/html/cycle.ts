/**
 * The wait-for cycle of a deadlock as an SVG: the threads on a circle, an arrow from each waiting
 * thread to the thread holding the lock it waits for, labelled with the lock. Coordinates are
 * rounded to one decimal, so the drawing is the same on every machine. Pure.
 */
import { escapeHTML } from "./escape.js";
import type { DeadlockModel } from "./deadlock.js";

const RADIUS = 110;
const NODE = 34;
const SIZE = 2 * (RADIUS + NODE + 24);

/** The SVG of the cycle, or an empty string when the deadlock has none. */
export function cycleSVG(deadlock: DeadlockModel): string {
  const cycle = deadlock.cycle;
  if (cycle.length === 0) return "";
  const c = SIZE / 2;
  const at = (i: number): [number, number] => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / cycle.length;
    return [c + RADIUS * Math.cos(angle), c + RADIUS * Math.sin(angle)];
  };
  const r = (n: number): string => (Math.round(n * 10) / 10).toFixed(1);
  const parts: string[] = [];
  cycle.forEach((wait, i) => {
    const [x1, y1] = at(i);
    const [x2, y2] = at((i + 1) % cycle.length);
    const dx = x2 - x1;
    const dy = y2 - y1;
    const length = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / length, dy / length];
    // Bent outwards a little, from the rim of one node to the rim of the next.
    const [sx, sy] = [x1 + ux * (NODE + 2), y1 + uy * (NODE + 2)];
    const [ex, ey] = [x2 - ux * (NODE + 8), y2 - uy * (NODE + 8)];
    const [mx, my] = [(sx + ex) / 2, (sy + ey) / 2];
    const [ox, oy] = [mx - c, my - c];
    const out = Math.hypot(ox, oy) || 1;
    const bend = cycle.length === 2 ? 40 : 18;
    const [qx, qy] = [mx + (ox / out) * bend, my + (oy / out) * bend];
    const [lx, ly] = [mx + (ox / out) * (bend + 16), my + (oy / out) * (bend + 16)];
    parts.push(
      `<path class="wait-edge" data-from="${escapeHTML(wait.thread)}" data-to="${escapeHTML(wait.holder ?? "")}" d="M${r(sx)} ${r(sy)} Q${r(qx)} ${r(qy)} ${r(ex)} ${r(ey)}" marker-end="url(#wait-arrow)"/>`,
      `<text class="wait-label" x="${r(lx)}" y="${r(ly)}" text-anchor="middle">waits for ${escapeHTML(wait.lock ?? "?")}</text>`,
    );
  });
  cycle.forEach((wait, i) => {
    const [x, y] = at(i);
    parts.push(
      `<g class="wait-node" data-thread="${escapeHTML(wait.thread)}"><circle cx="${r(x)}" cy="${r(y)}" r="${NODE}"/>` +
        `<text x="${r(x)}" y="${r(y + 5)}" text-anchor="middle">${escapeHTML(wait.thread)}</text></g>`,
    );
  });
  return (
    `<svg class="wait-cycle" role="img" aria-label="wait-for cycle" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}">` +
    `<defs><marker id="wait-arrow" viewBox="0 0 10 10" refX="2" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0 0L10 5L0 10z"/></marker></defs>${parts.join("")}</svg>`
  );
}
