/**
 * What an exploration did not observe: the untraced effects its steps made (writes of the outside
 * world, `strategies/access.ts`), counted by where the code came from. While any was seen, no search
 * is complete — DPOR explored the orders of those steps against everything, but what the code did
 * was not watched — and the result says what to trace to make it so (`tracePackages`).
 *
 * @module
 */
import { isWorld, OVERFLOW_ORIGIN, PAST_MAX_STEPS_ORIGIN } from "../strategies/access.js";
import type { ExploreStep } from "../engine/task-explore.js";

/** One origin of untraced effects (a package, a Node module, native code) and how often it was called. */
export interface UnmodelledEffect {
  /** `lru-cache`, `node:events`, `native`, `src/legacy.js`. */
  origin: string;
  /** Calls recorded, over every recorded run. */
  calls: number;
  /** A few of the functions called (`LRUCache.get`), for the report. */
  examples: string[];
  /** Set for packages under node_modules: what `tracePackages` takes. */
  package?: string;
  /**
   * Set when the calls were operations on an external resource (a database, a file) that the
   * resource model could not describe (`src/io/`: a trigger, a statement it does not cover): tracing
   * the driver would not help.
   */
  resource?: true;
}

/** Labels of outside-world writes that stand for resource operations interlace could not model (`io/drivers/common.ts`). */
const NOT_MODELLED = /^untraced [^:]*: [^:]* not modelled: /;

const EXAMPLES = 3;

/** Collects the untraced effects of the recorded runs of an exploration. */
export class Unmodelled {
  readonly #byOrigin = new Map<string, UnmodelledEffect>();

  /** Adds the untraced effects of one run's steps (steps without recorded accesses add nothing). */
  add(steps: readonly ExploreStep[]): void {
    for (const step of steps) {
      for (const access of step.accesses ?? []) {
        if (!isWorld(access)) continue;
        const origin = access.origin ?? "unknown";
        let entry = this.#byOrigin.get(origin);
        if (entry === undefined) {
          entry = { origin, calls: 0, examples: [] };
          if (isPackageName(origin)) entry.package = origin;
          this.#byOrigin.set(origin, entry);
        }
        if (NOT_MODELLED.test(access.label ?? "")) {
          entry.resource = true;
          delete entry.package;
        }
        entry.calls += 1;
        const callee = access.label?.replace(/^untraced [^:]*: /, "");
        if (callee !== undefined && entry.examples.length < EXAMPLES && !entry.examples.includes(callee)) entry.examples.push(callee);
      }
    }
  }

  /** Whether every recorded step's effects were observed. */
  get none(): boolean {
    return this.#byOrigin.size === 0;
  }

  /** The origins, most called first. */
  get effects(): UnmodelledEffect[] {
    return [...this.#byOrigin.values()].sort((a, b) => b.calls - a.calls || a.origin.localeCompare(b.origin));
  }

  /** Package names to trace, most called first. */
  get packages(): string[] {
    return this.effects.flatMap((e) => (e.package === undefined ? [] : [e.package]));
  }
}

/** `lru-cache (3 calls: LRUCache.get, …), node:events (2 calls: emit)` */
export function describeUnmodelled(effects: readonly UnmodelledEffect[], limit = 5): string {
  const shown = effects.slice(0, limit).map((e) => {
    const unit = e.origin === OVERFLOW_ORIGIN || e.origin === PAST_MAX_STEPS_ORIGIN ? "time" : "call";
    return `${e.origin} (${e.calls} ${unit}${e.calls === 1 ? "" : "s"}${e.examples.length > 0 ? `: ${e.examples.join(", ")}` : ""})`;
  });
  if (effects.length > limit) shown.push(`${effects.length - limit} more`);
  return shown.join(", ");
}

/** The advice that goes with them: which packages to trace, or why nothing can be traced. */
export function unmodelledAdvice(effects: readonly UnmodelledEffect[]): string {
  const packages = effects.flatMap((e) => (e.package === undefined ? [] : [e.package]));
  const parts: string[] = [];
  if (packages.length > 0) {
    parts.push(
      `trace ${packages.length === 1 ? "it" : "them"}: tracePackages: ${JSON.stringify(packages)} (vitest: interlace({ tracePackages }); ` +
        `node: INTERLACE_TRACE_PACKAGES=${packages.join(",")}; CLI: --trace-packages ${packages.join(",")})`,
    );
  }
  if (effects.some((e) => e.origin === OVERFLOW_ORIGIN)) {
    parts.push(
      "a step made more shared accesses than interlace records per step (a long loop, often a thread that ran freely past maxSteps): " +
        "its orders were explored against every other step; raise maxSteps (--max-steps) so the loop is stepped, or do bulk work in setup()",
    );
  }
  if (effects.some((e) => e.resource === true)) {
    parts.push("some operations on databases or files could not be modelled (see the examples): their orders were explored against every other step");
  }
  if (effects.some((e) => e.origin === PAST_MAX_STEPS_ORIGIN)) {
    parts.push("a thread ran out of decisions and ran on unscheduled: raise maxSteps (--max-steps) so every step of it is a decision");
  }
  const own = new Set([OVERFLOW_ORIGIN, PAST_MAX_STEPS_ORIGIN]);
  if (effects.some((e) => e.package === undefined && e.resource !== true && !own.has(e.origin))) parts.push("Node's own modules and native code cannot be traced: their orders are explored, their effects are not observed");
  return parts.join("; ");
}

function isPackageName(origin: string): boolean {
  return /^(@[^/\s]+\/)?[a-z0-9][\w.-]*$/i.test(origin) && !origin.includes(":") && origin !== "native" && origin !== "unknown" && !/\.[cm]?[jt]sx?$/.test(origin);
}
