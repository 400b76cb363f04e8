/**
 * Exploration strategies: which thread runs next at each scheduling point, run after run.
 * Pure (no I/O, no `node:*`); randomness comes from a seeded {@link Prng}.
 */
import { Dpor } from "./dpor.js";
import { Exhaustive } from "./exhaustive.js";
import { IterativeBounding } from "./iterative-bounding.js";
import { MarkersExhaustive } from "./markers-exhaustive.js";
import { PCT } from "./pct.js";
import { Portfolio } from "./portfolio.js";
import { Prng } from "./prng.js";
import { RandomWalk } from "./random.js";
import type { Strategy } from "./strategy.js";

export type { Decision, Strategy } from "./strategy.js";
export { isPreemption } from "./strategy.js";
export { Prng } from "./prng.js";
export { RandomWalk } from "./random.js";
export { PCT, type PctOptions } from "./pct.js";
export { DepthFirstSearch } from "./depth-first.js";
export { Exhaustive, type ExhaustiveOptions } from "./exhaustive.js";
export { MarkersExhaustive } from "./markers-exhaustive.js";
export { IterativeBounding } from "./iterative-bounding.js";
export { Replay } from "./replay.js";
export { Dpor, type DporOptions, type Race, type RaceSide } from "./dpor.js";
export { Portfolio, PATTERN as PORTFOLIO_PATTERN, type PortfolioMember, type PortfolioOptions } from "./portfolio.js";
export type { Access } from "./access.js";

/** Names accepted by {@link createStrategy}. */
export const STRATEGY_NAMES = ["portfolio", "random", "pct", "exhaustive", "markers", "dpor"] as const;

/** Orders in which `dpor` explores (see {@link DporOptions.order}). */
export const SEARCH_ORDERS = ["dfs", "diverse"] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

/** A strategy name accepted by {@link createStrategy}. */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Options of {@link createStrategy}. */
export interface CreateStrategyOptions {
  /** Seed of the PRNG (used by `random`, `pct` and `portfolio`). */
  seed: number;
  /** PCT bug depth (default 3). */
  pctDepth?: number;
  /** Preemption bound of `exhaustive` (default: none; bounds 0, 1, 2, … are then searched in turn) and of `dpor` and `portfolio`'s DPOR (default: none). */
  preemptionBound?: number;
  /** Search order of `dpor` and `portfolio`'s DPOR (default `dfs`). */
  searchOrder?: SearchOrder;
  /** `portfolio`: include DPOR (default true; false where shared accesses cannot be recorded). */
  withDpor?: boolean;
  /** `portfolio`: whether its exploration may end as complete once DPOR has run every class (default: always). */
  mayStopWhenDporDone?: () => boolean;
}

/** Builds a strategy by name, e.g. from a CLI flag. Throws on an unknown name. */
export function createStrategy(name: StrategyName, options: CreateStrategyOptions): Strategy {
  switch (name) {
    case "random":
      return new RandomWalk(new Prng(options.seed));
    case "pct":
      return new PCT(new Prng(options.seed), options.pctDepth === undefined ? {} : { depth: options.pctDepth });
    case "exhaustive":
      return options.preemptionBound === undefined ? new IterativeBounding() : new Exhaustive({ preemptionBound: options.preemptionBound });
    case "markers":
      return new MarkersExhaustive();
    case "portfolio":
      return new Portfolio({
        seed: options.seed,
        ...(options.pctDepth === undefined ? {} : { pctDepth: options.pctDepth }),
        ...(options.preemptionBound === undefined ? {} : { preemptionBound: options.preemptionBound }),
        ...(options.searchOrder === undefined ? {} : { searchOrder: options.searchOrder }),
        ...(options.withDpor === undefined ? {} : { dpor: options.withDpor }),
        ...(options.mayStopWhenDporDone === undefined ? {} : { mayStopWhenDporDone: options.mayStopWhenDporDone }),
      });
    case "dpor":
      return new Dpor({
        ...(options.preemptionBound === undefined ? {} : { preemptionBound: options.preemptionBound }),
        ...(options.searchOrder === undefined ? {} : { order: options.searchOrder }),
      });
    default:
      throw new Error(`unknown strategy ${JSON.stringify(name)}: expected one of ${STRATEGY_NAMES.join(", ")}`);
  }
}
