// Locations named by the attempt's state (src/explore/state-paths.ts): a per-attempt temporary
// path becomes the same name in every run, so DPOR's replays compare equal locations.
import { describe, expect, it } from "vitest";
import { namedByState, renameLocation, statePaths } from "../../../src/explore/state-paths.js";

describe("state paths", () => {
  it("finds the absolute paths among the state's values, longest first, named by where they are", () => {
    const paths = statePaths({ dir: "/tmp/a-1", dbPath: "/tmp/a-1/bank.db", n: 3, rel: "x/y", list: ["/srv/f"], nested: { deep: "/tmp/b" } });
    expect(paths).toEqual([
      ["/tmp/a-1/bank.db", "$state.dbPath"],
      ["/tmp/a-1", "$state.dir"],
      ["/srv/f", "$state.list[0]"],
      ["/tmp/b", "$state.nested.deep"],
    ]);
    expect(statePaths("/tmp/only")).toEqual([["/tmp/only", "$state"]]);
    expect(statePaths({ url: "postgres://h/db", root: "/" })).toEqual([]);
  });

  it("names a file's per-attempt directory by the file (better-sqlite3 checks that the directory exists)", () => {
    const paths = (dir: string) => statePaths({ file: `${dir}/counter.db` });
    expect(renameLocation("file:/tmp/run-1", paths("/tmp/run-1"))).toBe(renameLocation("file:/tmp/run-2", paths("/tmp/run-2")));
    expect(renameLocation("file:/tmp/run-1", paths("/tmp/run-1"))).toBe("file:$state.file/..");
    expect(renameLocation("file:/tmp/run-1/journal", paths("/tmp/run-1"))).toBe("file:$state.file/../journal");
    expect(statePaths({ file: "/tmp/x.db" })).toEqual([["/tmp/x.db", "$state.file"]]);
    expect(renameLocation("sql:/tmp/run-1/counter.db/counter(id=1)", paths("/tmp/run-1"))).toBe("sql:$state.file/counter(id=1)");
  });

  it("renames whole path components only", () => {
    const paths = statePaths({ dir: "/tmp/a", db: "/tmp/a/x.db" });
    expect(renameLocation("file:/tmp/a/lock", paths)).toBe("file:$state.dir/lock");
    expect(renameLocation("dir:/tmp/a", paths)).toBe("dir:$state.dir");
    expect(renameLocation("sql:/tmp/a/x.db/accounts(id=1)", paths)).toBe("sql:$state.db/accounts(id=1)");
    expect(renameLocation("lock:sql:/tmp/a/x.db/accounts(id=1)", paths)).toBe("lock:sql:$state.db/accounts(id=1)");
    expect(renameLocation("file:/tmp/ab/lock", paths)).toBe("file:/tmp/ab/lock");
    expect(renameLocation("Counter#1.value", paths)).toBe("Counter#1.value");
  });

  it("two runs with different temporary folders drain equal locations; labels keep the real path", () => {
    const drained = (dir: string) =>
      namedByState({ drain: () => [{ thread: "p1", op: "read" as const, location: `file:${dir}/lock`, within: `dir:${dir}`, label: `file ${dir}/lock` }] }, { dir }).drain();
    const [a] = drained("/tmp/run-1");
    const [b] = drained("/tmp/run-2");
    expect(a!.location).toBe(b!.location);
    expect(a!.within).toBe("dir:$state.dir");
    expect(a!.label).toBe("file /tmp/run-1/lock");
  });
});
