// cache-manager's wrap(key, fn): "get the value, or compute it once and cache it". Before 5.3.0,
// two concurrent wrap() calls for a missing key both missed and both computed (fixed in 5.3.0 by
// coalescing concurrent calls, with promise-coalesce). Run on the package as published: its code
// is traced (tracePackages), the property is "computed once".
//   interlace explore case-studies/cache-manager-wrap/scenario.ts --trace-packages cache-manager-5.2
//   CACHE_MANAGER=cache-manager-5.4 interlace explore … --trace-packages cache-manager-5.4,promise-coalesce
import { createRequire } from "node:module";
import { defineScenario, thread } from "interlace";

const require = createRequire(import.meta.url);
const version = process.env.CACHE_MANAGER ?? "cache-manager-5.2";
const { caching } = require(version) as typeof import("cache-manager");

interface State {
  cache: Awaited<ReturnType<typeof caching>>;
  computed: number;
}

async function expensive(s: State): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  s.computed += 1;
  return "report";
}

export default defineScenario({
  setup: async (): Promise<State> => ({ cache: await caching("memory", { ttl: 60_000 }), computed: 0 }),
  threads: {
    a: thread.task((s: State) => s.cache.wrap("report", () => expensive(s))),
    b: thread.task((s: State) => s.cache.wrap("report", () => expensive(s))),
  },
  invariant: (s) => s.computed === 1,
});
