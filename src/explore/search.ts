/**
 * The attempt loop of an exploration: runs attempts of a subject under a strategy until a failure
 * (or, with `stopOnFirst: false`, the budget), and decides what the search may claim: `exhausted`
 * when the strategy ran out of interleavings, `complete` only when, besides, every effect was
 * observed (`unmodelled.ts`); an exploration that reached no scheduling point is an error
 * (`not-instrumented.ts`). The failure found goes to `report.ts`.
 *
 * @module
 */
import { InterruptedError, ScenarioError } from "../errors.js";
import { clock } from "../controller/clock.js";
import { Portfolio, SEARCH_ORDERS, createStrategy, type PortfolioMember, type StrategyName } from "../strategies/index.js";
import { checkTasksInstrumented, noPointError, reachedNoPoint } from "./not-instrumented.js";
import { budget, type ExploreResult, type MoreOptions } from "./options.js";
import { reportFailure, result } from "./report.js";
import { accessesRecordable, type Subject } from "./subject.js";
import type { Attempt } from "./task-attempt.js";
import { Unmodelled } from "./unmodelled.js";
import { Interrupt, type Interruption } from "./interrupt.js";

/** Explores `subject` under the strategy `strategyName`. */
export async function exploreSubject<S>(subject: Subject<S>, options: MoreOptions<S>, strategyName: StrategyName): Promise<ExploreResult<S>> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const maxAttempts = budget(options);
  if (options.searchOrder !== undefined && !SEARCH_ORDERS.includes(options.searchOrder)) {
    throw new ScenarioError(`searchOrder must be one of ${SEARCH_ORDERS.join(", ")}, got ${JSON.stringify(options.searchOrder)}.`);
  }
  const interrupt = new Interrupt(options.signal, options.timeBudget);
  const unmodelled = new Unmodelled();
  // The portfolio's DPOR needs the accesses; without them it is random and PCT only.
  const withDpor = strategyName === "portfolio" ? accessesRecordable(subject) : undefined;
  const strategy = createStrategy(strategyName, {
    seed,
    ...(options.pctDepth === undefined ? {} : { pctDepth: options.pctDepth }),
    ...(options.preemptionBound === undefined ? {} : { preemptionBound: options.preemptionBound }),
    ...(options.searchOrder === undefined ? {} : { searchOrder: options.searchOrder }),
    ...(withDpor === undefined ? {} : { withDpor }),
    // An effect nobody observed makes DPOR's classes too coarse to end on: explore on.
    mayStopWhenDporDone: () => unmodelled.none,
  });
  // Strategies that can end a search record accesses, so that untraced effects are known before
  // a search is called complete (`explore/unmodelled.ts`).
  const record = strategyName === "dpor" || withDpor === true || ((strategyName === "exhaustive" || strategyName === "markers") && accessesRecordable(subject));
  if (subject.kind === "task") checkTasksInstrumented();
  if (strategyName === "dpor") subject.checkAccesses?.();
  const stopOnFirst = options.stopOnFirst ?? true;

  let numExplored = 0;
  let numFailed = 0;
  let complete = false;
  let last: Attempt<S> | undefined;
  let found: { attempt: Attempt<S>; run: number } | undefined;
  let foundBy: PortfolioMember | null = null;
  let interrupted: Interruption | null = null;
  const started = clock.now();
  for (let run = 0; run < maxAttempts; run++) {
    // Checked before each attempt, so the search stops at the end of the one in progress.
    interrupted = interrupt.reason;
    if (interrupted !== null) break;
    if (!strategy.beginRun(run)) {
      complete = true;
      break;
    }
    try {
      last = await subject.run(strategy, record);
    } catch (error) {
      // Aborted in the middle of an attempt: that attempt does not count; what ran before is the answer.
      if (!(error instanceof InterruptedError)) throw error;
      interrupted = "aborted";
      break;
    }
    strategy.endRun(last.failure !== null);
    numExplored += 1;
    if (record) unmodelled.add(last.steps);
    // Not one scheduling point: nothing could interleave, and a pass would prove nothing.
    if (numExplored === 1 && last.failure === null && reachedNoPoint(last.steps)) throw noPointError(subject.kind, unmodelled.effects, subject.granularity);
    options.onAttempt?.({ numExplored, maxAttempts, elapsedMs: clock.now() - started, failed: last.failure !== null, decisions: last.steps.length });
    if (last.failure !== null) {
      numFailed += 1;
      if (found === undefined && strategy instanceof Portfolio) foundBy = strategy.lastRunStrategy;
      found ??= { attempt: last, run };
      if (stopOnFirst) break;
    }
  }
  // A search that ended with its last run is complete too.
  if (!complete && interrupted === null && found === undefined && numExplored === maxAttempts && !strategy.beginRun(numExplored)) complete = true;
  // Ran out of interleavings to try, but some steps ran code whose effects were not observed:
  // every order the strategy could tell apart was tried, which is not every order that matters.
  const exhausted = complete;
  if (!unmodelled.none) complete = false;
  const counts = {
    numExplored,
    numFailed,
    complete,
    exhausted,
    unmodelled: unmodelled.effects,
    interrupted,
    ...(strategy instanceof Portfolio
      ? { portfolio: { foundBy, dporExecutions: strategy.dporExecutions, dporComplete: strategy.dporComplete, dporStopped: strategy.dporStopped } }
      : {}),
  };
  if (found === undefined) return result(true, counts, null, null, null, last?.state, seed, strategyName);
  const report = await reportFailure(subject, options, strategyName, seed, found, interrupt);
  return result(false, counts, report.counterexample, report.explanation, report.reproduced, report.state, seed, strategyName, report.steps);
}

