/**
 * The exploration tree of {@link Dpor}, with its sleep sets and wakeup trees — P. Abdulla,
 * S. Aronis, B. Jonsson and K. Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014
 * (wakeup trees, Algorithm 2), also "Source Sets: A Foundation for Optimal Dynamic Partial Order
 * Reduction", JACM 64(4), 2017.
 *
 * A node is a state reached by a decision sequence E. Its branches are the threads run next from
 * it. A branch is *pending* (a wakeup sequence still to run: the runs that will reverse a race),
 * *active* (run at least once, its subtree not finished) or *done*. Pending branches and the
 * pending nodes below them form the node's wakeup tree: they carry the events the earlier run saw,
 * which stand for the events the program will make, since runs are deterministic.
 *
 * The sleep set of a node holds threads whose next event there is known and whose runs from here
 * are covered elsewhere (by an earlier sibling subtree): a thread leaves it as soon as an event
 * dependent with its next event runs.
 */
import { eventsDependent, type Access } from "./access.js";
import type { Event } from "./dpor-execution.js";

/** A thread run next from a node. */
export interface Branch {
  readonly thread: string;
  /** The accesses of the thread's next event here (expected while pending, observed once run). */
  accesses: readonly Access[];
  status: "pending" | "active" | "done";
  readonly node: TreeNode;
}

/** What was seen the first time a run reached a node. */
export interface Visit {
  readonly runnable: readonly string[];
  readonly previous: string | null;
  /** Preemptions on the way here. */
  readonly preemptions: number;
}

/** A state of the program: the decision sequence leading to it, and where to go from it. */
export interface TreeNode {
  readonly depth: number;
  readonly parent: TreeNode | null;
  /** The parent's branch leading here (null at the root). */
  via: Branch | null;
  /** Branches in the order they are (to be) explored. */
  children: Branch[];
  /** Sleep set: thread → its next event's accesses here. Set when the branch leading here first runs. */
  sleep: ReadonlyMap<string, readonly Access[]>;
  /** Null until a run makes a decision here. */
  visit: Visit | null;
}

const NO_SLEEP: ReadonlyMap<string, readonly Access[]> = new Map();

export function rootNode(): TreeNode {
  return { depth: 0, parent: null, via: null, children: [], sleep: NO_SLEEP, visit: null };
}

/** Adds a branch for `event` below `node` (pending, or active when just run); returns it. */
export function addBranch(node: TreeNode, event: Event, status: Branch["status"]): Branch {
  const child: TreeNode = { depth: node.depth + 1, parent: node, via: null, children: [], sleep: NO_SLEEP, visit: null };
  const branch: Branch = { thread: event.thread, accesses: event.accesses, status, node: child };
  child.via = branch;
  node.children.push(branch);
  return branch;
}

/**
 * The sleep set at the end of `branch`: the threads asleep at its parent, plus the siblings run
 * before it (their subtrees cover every run starting with them), minus those whose next event is
 * dependent with the branch's event — after it, their runs are new.
 */
export function sleepAfter(parent: TreeNode, branch: Branch): ReadonlyMap<string, readonly Access[]> {
  const earlier = parent.children.slice(0, parent.children.indexOf(branch)).filter((b) => b.status !== "pending");
  const candidates: Array<[string, readonly Access[]]> = [...parent.sleep, ...earlier.map((b): [string, readonly Access[]] => [b.thread, b.accesses])];
  const kept = candidates.filter(([thread, accesses]) => thread !== branch.thread && !eventsDependent(accesses, branch.accesses));
  // Most sleep sets are empty or the parent's: share them (diverse order keeps many nodes).
  if (kept.length === 0) return NO_SLEEP;
  if (kept.length === parent.sleep.size && earlier.length === 0) return parent.sleep;
  return new Map(kept);
}

/**
 * Whether running `thread` (whose next event is `accesses`) first is compatible with running the
 * sequence `v` — `thread` is a weak initial of v: either its first event in v has no
 * happens-before predecessor in v, or it does not occur in v and its next event is independent
 * of all of v. Then some extension of `thread`.… is equivalent to some extension of v.
 */
export function isWeakInitial(thread: string, accesses: readonly Access[], v: readonly Event[]): boolean {
  const first = v.findIndex((event) => event.thread === thread);
  if (first === -1) return v.every((event) => !eventsDependent(accesses, event.accesses));
  const own = v[first]?.accesses ?? accesses;
  return v.slice(0, first).every((event) => !eventsDependent(own, event.accesses));
}

/** v without the first event of `thread` (v \ p in the paper). */
function without(v: readonly Event[], thread: string): Event[] {
  const first = v.findIndex((event) => event.thread === thread);
  return first === -1 ? [...v] : [...v.slice(0, first), ...v.slice(first + 1)];
}

/**
 * Inserts the wakeup sequence `v` below `node` (insert_[E](v, wut(E)) of the paper): at each level,
 * descends along the first compatible branch — one whose thread is a weak initial of what is left
 * of v; stops when v is already covered — by a thread asleep, by a branch run before the current
 * one at `node`, or by a leaf (a pending leaf, or where a run ended); otherwise adds what is left of
 * v as a new pending path, explored after its older siblings.
 *
 * In depth-first order every branch after the current one at `node` is still pending, as in the
 * paper. In diverse order it may have run already, even to completion, before the races reversing
 * into it were found: the insertion descends into it all the same and reopens it, so that it ends
 * up with the wakeup sequences depth-first order would have given it before it ran.
 *
 * @param taken - index of the branch the current run took at `node`.
 * @param admits - whether a new branch may start with `thread` at a visited node (preemption bound).
 * @returns the node the new path was added to, "covered", or "forbidden" (by `admits`).
 */
export function insertWakeup(
  node: TreeNode,
  v: readonly Event[],
  taken: number,
  admits: (node: TreeNode, thread: string) => boolean,
): TreeNode | "covered" | "forbidden" {
  const reopened: Branch[] = [];
  let at = node;
  let rest = [...v];
  for (;;) {
    const sequence = rest;
    if (sequence.length === 0) return "covered";
    for (const [thread, accesses] of at.sleep) if (isWeakInitial(thread, accesses, sequence)) return "covered";
    const index = at.children.findIndex((b) => isWeakInitial(b.thread, b.accesses, sequence));
    const branch = at.children[index];
    if (branch === undefined) {
      const first = sequence[0];
      if (first === undefined) return "covered";
      if (at.visit !== null && !admits(at, first.thread)) return "forbidden";
      let parent = at;
      for (const event of sequence) parent = addBranch(parent, event, "pending").node;
      for (const b of reopened) b.status = "active";
      return at;
    }
    if (at === node && index <= taken) return "covered"; // explored before this run's branch: in its sleep set
    if (branch.status === "pending" ? branch.node.children.length === 0 : branch.node.visit === null) return "covered";
    if (branch.status !== "pending") reopened.push(branch);
    rest = without(sequence, branch.thread);
    at = branch.node;
  }
}

export function firstPending(node: TreeNode): Branch | undefined {
  return node.children.find((b) => b.status === "pending");
}

/** The branches from the root down to `node`: the decisions that lead to it. */
export function branchesTo(node: TreeNode): Branch[] {
  const branches: Branch[] = [];
  for (let via = node.via; via !== null; via = via.node.parent?.via ?? null) branches.push(via);
  return branches.reverse();
}

/**
 * Ends a run at `last` (where no thread could run): marks the branches leading there done,
 * bottom-up, as long as every branch below is done. Returns whether the whole tree is done.
 */
export function finishRun(last: TreeNode): boolean {
  if (last.visit === null) last.children = []; // any wakeup sequence below is stale
  for (let node: TreeNode | null = last; node !== null && node.children.every((b) => b.status === "done"); node = node.parent) {
    if (node.via === null) return true;
    node.via.status = "done";
  }
  return false;
}

/**
 * Frees the subtrees no run can add to any more: done, with every branch to their left done at
 * every level above (wakeup sequences only go to branches after the one a run took). In
 * depth-first order that is every done subtree; in diverse order a done subtree may be reopened
 * until then. The branches themselves stay: their events make their later siblings' sleep sets.
 */
export function releaseDone(root: TreeNode): void {
  for (let node: TreeNode | undefined = root; node !== undefined; ) {
    let next: TreeNode | undefined;
    for (const branch of node.children) {
      if (branch.status !== "done") {
        next = branch.status === "active" ? branch.node : undefined;
        break;
      }
      if (branch.node.children.length > 0) branch.node.children = [];
    }
    node = next;
  }
}
