// node-persist 4.0.4: setItem writes the item's file in place (fs.writeFile: open, which truncates,
// then write), while getItem on another storage instance over the same directory reads it. A read
// between the two sees an empty file: getItem rejects with "does not look like a valid storage
// file!" (measured under plain concurrency: 4 of 200 runs). Found by interlace once node-persist is
// traced, so that its fs.writeFile runs as its phases; untraced, its calls are effects interlace
// does not observe and the result is "holds, not a proof", naming node-persist.
//   interlace explore case-studies/node-persist-torn/scenario.ts --trace-packages node-persist-4.0
import { createRequire } from "node:module";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineScenario, thread } from "interlace";

const require = createRequire(import.meta.url);
const storage = require("node-persist-4.0") as typeof import("node-persist");

/** One directory for every run: a datum file is named by its path. */
const dir = join(tmpdir(), "interlace-case-node-persist");
const cart = { items: Array.from({ length: 300 }, (_, i) => ({ sku: `sku-${i}`, qty: i })) };

interface State {
  writer: ReturnType<typeof storage.create>;
  reader: ReturnType<typeof storage.create>;
  seen: unknown;
}

export default defineScenario({
  setup: async (): Promise<State> => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const writer = storage.create({ dir, expiredInterval: 0 });
    await writer.init();
    await writer.setItem("cart", { items: [] });
    const reader = storage.create({ dir, expiredInterval: 0 });
    await reader.init();
    return { writer, reader, seen: null };
  },
  threads: {
    save: thread.task(async (s: State) => {
      await s.writer.setItem("cart", cart);
    }),
    load: thread.task(async (s: State) => {
      s.seen = await s.reader.getItem("cart");
    }),
  },
  invariant: (s: State) => Array.isArray((s.seen as { items?: unknown } | null)?.items),
});
