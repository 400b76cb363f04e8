// A get-or-load on lru-cache, the way application code writes it: check the cache, load on a
// miss, store. Two concurrent requests for one user both miss and both load. The state that
// decides it (the cache's entries) lives inside lru-cache: untraced, its calls are the outside
// world to DPOR, which explores their orders; traced (--trace-packages lru-cache), they are
// ordinary accesses. Either way the double load is found.
import { LRUCache } from "lru-cache";
import { defineScenario, thread } from "interlace";

interface State { cache: LRUCache<string, { id: string }>; loads: number }

async function load(s: State, id: string) { await Promise.resolve(); s.loads += 1; return { id }; }

async function getUser(s: State, id: string) {
  let user = s.cache.get(id);
  if (user === undefined) {
    user = await load(s, id);
    s.cache.set(id, user);
  }
  return user;
}

export default defineScenario({
  setup: (): State => ({ cache: new LRUCache({ max: 10 }), loads: 0 }),
  threads: { a: thread.task((s: State) => getUser(s, "u1")), b: thread.task((s: State) => getUser(s, "u1")) },
  invariant: (s) => s.loads === 1,
});
