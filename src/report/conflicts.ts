/**
 * What went wrong between the threads of a failing run, from the shared accesses its steps
 * recorded: the conflicting accesses (two threads, one location, at least one write, not both
 * under a common lock), and a classification when the pattern is a known one.
 *
 * - **Lost update**: a thread wrote a location after another thread's write to it, without having
 *   read it since that write — its value came from a read the other write made stale.
 * - **Check-then-act**: a thread read a location, another thread wrote it, then the first thread
 *   acted (wrote something) on the strength of its stale check.
 * - **Order violation**: a thread read a location before any thread had written it (it got
 *   `undefined`), while another thread of the run writes it: it ran before its initialisation.
 *
 * A heuristic for people, not a proof: the conflicts themselves are exact for what was recorded.
 */
import type { ThreadAccess } from "../engine/step-accesses.js";
import { WORLD } from "../strategies/access.js";
import type { ExploreStep } from "../engine/task-explore.js";

/** One recorded access, where it happened. */
interface Placed extends ThreadAccess {
  /** 0-based index of the step it happened in. */
  step: number;
  /** Position among all accesses of the run. */
  order: number;
  /** Locks its thread held then. */
  held: ReadonlySet<string>;
}

/** Two conflicting accesses of different threads. */
export interface Conflict {
  /** `untraced`: both sides called code whose effects were not observed; the conflict is assumed. */
  kind: "write-write" | "read-write" | "untraced";
  label: string;
  first: Placed;
  second: Placed;
}

/** A recognised pattern. */
export interface Classification {
  name: "lost update" | "check-then-act" | "order violation";
  /** One sentence: who did what to which location. */
  detail: string;
  /** The location it is about, by its label. */
  label: string;
}

/** Every recorded data access of the run, with the locks held by its thread at that moment. */
function placed(steps: readonly ExploreStep[]): Placed[] {
  const held = new Map<string, Set<string>>();
  const out: Placed[] = [];
  steps.forEach((step, index) => {
    for (const access of step.accesses ?? []) {
      const locks = held.get(access.thread) ?? new Set<string>();
      held.set(access.thread, locks);
      if (access.op === "acquire") locks.add(access.location);
      else if (access.op === "release") locks.delete(access.location);
      else out.push({ ...access, step: index, order: out.length, held: new Set(locks) });
    }
  });
  return out;
}

function guarded(a: Placed, b: Placed): boolean {
  for (const lock of a.held) if (b.held.has(lock)) return true;
  return false;
}

const labelOf = (a: ThreadAccess): string => a.label ?? a.location;

/**
 * The conflicting pairs of the run, at most one per location and kind, in the order their second
 * access happened: write-write conflicts first, then read-write.
 */
export function findConflicts(steps: readonly ExploreStep[]): Conflict[] {
  const accesses = placed(steps);
  const found = new Map<string, Conflict>();
  for (const second of accesses) {
    for (const first of accesses) {
      if (first.order >= second.order) break;
      // One location, or a container and a location within it (a SQL table and one of its rows).
      const contained = first.within === second.location || second.within === first.location;
      if ((first.location !== second.location && !contained) || first.thread === second.thread) continue;
      if (first.op === "read" && second.op === "read") continue;
      if (guarded(first, second)) continue;
      const untraced = first.location === WORLD;
      const kind = untraced ? "untraced" : first.op === "write" && second.op === "write" ? "write-write" : "read-write";
      const key = untraced ? `${kind}\0${[first.thread, second.thread].sort().join("\0")}` : `${kind}\0${contained ? (first.within ?? first.location) : first.location}`;
      if (!found.has(key)) found.set(key, { kind, label: labelOf(second), first, second });
    }
  }
  const all = [...found.values()];
  return (["write-write", "read-write", "untraced"] as const).flatMap((kind) => all.filter((c) => c.kind === kind));
}

/** The conflicts as sentences, e.g. `Write-write conflict: threads t1 and t2 both wrote Counter.value.` */
/** An external resource's access (SQL, file, directory, endpoint) carries its statement or call as its value: shown with the step. */
function statementOf(a: Placed): string | null {
  return a.value !== undefined && /^(sql|file|dir|net|redis|pg-pool):/.test(a.location) ? a.value : null;
}

/** `step 3` or `step 3: UPDATE accounts SET …` */
function stepText(a: Placed): string {
  const statement = statementOf(a);
  return `step ${a.step + 1}${statement === null ? "" : `: ${statement}`}`;
}

export function describeConflicts(conflicts: readonly Conflict[], limit = 3): string[] {
  const lines = conflicts.slice(0, limit).map(({ kind, label, first, second }) => {
    if (kind === "write-write") {
      const [a, b] = [statementOf(first), statementOf(second)];
      const steps = `steps ${first.step + 1} and ${second.step + 1}`;
      const detail = a === null && b === null ? steps : a === b ? `${steps}, both ${a}` : `${stepText(first)}; ${stepText(second)}`;
      return `Write-write conflict: threads ${first.thread} and ${second.thread} both wrote ${label} (${detail}).`;
    }
    if (kind === "untraced") {
      const what = (a: Placed): string => (a.label ?? "untraced code").replace(/^untraced /, "");
      return `Untraced code: threads ${first.thread} (step ${first.step + 1}, ${what(first)}) and ${second.thread} (step ${second.step + 1}, ${what(second)}) ` +
        "both called code whose effects interlace did not observe; their order was explored as if they conflict.";
    }
    const [reader, writer] = first.op === "read" ? [first, second] : [second, first];
    return `Read-write conflict: thread ${reader.thread} read ${label} (${stepText(reader)}) and thread ${writer.thread} wrote it (${stepText(writer)}).`;
  });
  if (conflicts.length > limit) lines.push(`… and ${conflicts.length - limit} more conflicting location${conflicts.length - limit === 1 ? "" : "s"}.`);
  return lines;
}

/**
 * The first recognised pattern among the run's accesses, or null.
 * @param threw - The run ended on an exception: a read of a location nobody had written yet is
 *   then an order violation even when the run stopped before its writer ran — unless two threads
 *   conflict on some location of the run, which explains it better (a read of a file another
 *   thread was writing; the undefined read was then a local one: node-persist's options).
 */
export function classify(steps: readonly ExploreStep[], threw: boolean): Classification | null {
  // Untraced effects are assumed to conflict; no pattern can be read from them.
  const accesses = placed(steps).filter((a) => a.location !== WORLD);
  return lostUpdate(accesses) ?? checkThenAct(accesses) ?? orderViolation(accesses, false) ?? (threw && !shared(accesses) ? orderViolation(accesses, true) : null);
}

/** Whether two threads accessed one location, one of them writing: a conflict the run can be explained by. */
function shared(accesses: readonly Placed[]): boolean {
  return accesses.some((a) => a.op === "write" && accesses.some((b) => b.location === a.location && b.thread !== a.thread));
}

function lostUpdate(accesses: readonly Placed[]): Classification | null {
  for (const write of accesses) {
    if (write.op !== "write") continue;
    const mine = accesses.filter((a) => a.thread === write.thread && a.location === write.location && a.order < write.order);
    const lastRead = mine.filter((a) => a.op === "read").at(-1);
    if (lastRead === undefined) continue;
    const lost = accesses.find(
      (a) => a.op === "write" && a.location === write.location && a.thread !== write.thread && a.order > lastRead.order && a.order < write.order && !guarded(a, write),
    );
    if (lost === undefined) continue;
    const label = labelOf(write);
    return {
      name: "lost update",
      label,
      detail:
        `${write.thread} read ${label} (step ${lastRead.step + 1}), ${lost.thread} wrote it (step ${lost.step + 1}), ` +
        `then ${write.thread} wrote it from its stale read (step ${write.step + 1}): ${lost.thread}'s update is lost.`,
    };
  }
  return null;
}

function checkThenAct(accesses: readonly Placed[]): Classification | null {
  for (const check of accesses) {
    if (check.op !== "read") continue;
    const change = accesses.find((a) => a.op === "write" && a.location === check.location && a.thread !== check.thread && a.order > check.order && !guarded(a, check));
    if (change === undefined) continue;
    const act = accesses.find((a) => a.op === "write" && a.thread === check.thread && a.order > change.order);
    if (act === undefined) continue;
    const label = labelOf(check);
    return {
      name: "check-then-act",
      label,
      detail:
        `${check.thread} checked ${label} (step ${check.step + 1}), ${change.thread} changed it (step ${change.step + 1}), ` +
        `then ${check.thread} acted on the stale check (step ${act.step + 1}, wrote ${labelOf(act)}).`,
    };
  }
  return null;
}

function orderViolation(accesses: readonly Placed[], threw: boolean): Classification | null {
  for (const read of accesses) {
    if (read.op !== "read" || read.value !== "undefined") continue;
    const writes = accesses.filter((a) => a.op === "write" && a.location === read.location);
    if (writes.some((w) => w.order < read.order) || writes.some((w) => w.thread === read.thread)) continue;
    const later = writes.find((w) => w.thread !== read.thread);
    if (later === undefined && !threw) continue;
    const label = labelOf(read);
    return {
      name: "order violation",
      label,
      detail: later
        ? `${read.thread} read ${label} (step ${read.step + 1}) before ${later.thread} wrote it (step ${later.step + 1}).`
        : `${read.thread} read ${label} (step ${read.step + 1}) before any thread wrote it.`,
    };
  }
  return null;
}
