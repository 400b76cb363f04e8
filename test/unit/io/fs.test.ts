import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyFs } from "../../../src/io/fs/index.js";
import { resourceConflict, type ResourceAccess } from "../../../src/io/resource.js";

const cwd = "/work/app";
/** `op location [in within]`, /work/app shortened to ~. */
function acc(method: string, ...args: unknown[]): string[] {
  const e = classifyFs(method, args, { cwd, fds: new Map([[7, "/work/app/data/log.txt"]]) });
  expect(e.modelled, `${method} should be modelled`).toBe(true);
  return e.accesses.map((a) => `${a.op} ${a.location}${a.within ? ` in ${a.within}` : ""}`.replaceAll(cwd, "~"));
}
const one = (method: string, ...args: unknown[]): ResourceAccess[] => classifyFs(method, args, { cwd }).accesses;

describe("classifyFs", () => {
  it.each<[string, unknown[], string[]]>([
    ["readFile", ["data/a.json"], ["read file:~/data/a.json in dir:~/data"]],
    ["readFileSync", ["data/a.json", "utf8"], ["read file:~/data/a.json in dir:~/data"]],
    ["promises.readFile", ["/etc/hosts"], ["read file:/etc/hosts in dir:/etc"]],
    ["writeFile", ["data/a.json", "{}"], ["write file:~/data/a.json in dir:~/data"]],
    ["writeFileSync", ["../x.txt", ""], ["write file:/work/x.txt in dir:/work"]],
    ["appendFile", ["log.txt", "x"], ["write file:~/log.txt in dir:~"]],
    ["open", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["open", ["a.txt", "r"], ["read file:~/a.txt in dir:~"]],
    ["open", ["a.txt", "r+"], ["write file:~/a.txt in dir:~"]],
    ["open", ["a.txt", "w"], ["write file:~/a.txt in dir:~"]],
    ["openSync", ["a.txt", "wx"], ["write file:~/a.txt in dir:~"]],
    ["open", ["a.txt", "a"], ["write file:~/a.txt in dir:~"]],
    ["open", ["a.txt", 0o102], ["write file:~/a.txt in dir:~"]],
    ["open", ["a.txt", { flags: "r" }], ["read file:~/a.txt in dir:~"]],
    ["stat", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["lstatSync", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["existsSync", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["access", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["realpath", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["unlink", ["a.txt"], ["write file:~/a.txt in dir:~"]],
    ["truncate", ["a.txt", 0], ["write file:~/a.txt in dir:~"]],
    ["chmod", ["a.txt", 0o600], ["write file:~/a.txt in dir:~"]],
    ["mkdir", ["d"], ["write file:~/d in dir:~", "write dir:~/d"]],
    ["rmdir", ["d"], ["write file:~/d in dir:~", "write dir:~/d"]],
    ["rm", ["d/f"], ["write file:~/d/f in dir:~/d", "write dir:~/d/f"]],
    ["mkdir", ["a/b", { recursive: true }], ["write file:~/a/b in dir:~/a", "write dir:~/a/b", "write file:~/a in dir:~", "write file:~ in dir:/work", "write file:/work in dir:/"]],
    ["readdir", ["d"], ["read dir:~/d"]],
    ["readdirSync", ["."], ["read dir:~"]],
    ["opendir", ["d"], ["read dir:~/d"]],
    ["rename", ["a.txt", "d/b.txt"], ["write file:~/a.txt in dir:~", "write file:~/d/b.txt in dir:~/d", "write dir:~/a.txt", "write dir:~/d/b.txt"]],
    ["copyFile", ["a", "b"], ["read file:~/a in dir:~", "write file:~/b in dir:~"]],
    ["symlink", ["target", "link"], ["write file:~/link in dir:~"]],
    ["link", ["a", "b"], ["read file:~/a in dir:~", "write file:~/b in dir:~"]],
    ["createReadStream", ["a.txt"], ["read file:~/a.txt in dir:~"]],
    ["createWriteStream", ["a.txt"], ["write file:~/a.txt in dir:~"]],
    ["createWriteStream", ["a.txt", { flags: "a" }], ["write file:~/a.txt in dir:~"]],
    ["mkdtemp", ["tmp/x-"], ["write dir:~/tmp"]],
    ["read", [7, Buffer.alloc(1), 0, 1, 0], ["read file:~/data/log.txt"]],
    ["write", [7, "x"], ["write file:~/data/log.txt"]],
    ["fstat", [7], ["read file:~/data/log.txt"]],
    ["readFile", [7], ["read file:~/data/log.txt"]],
    ["close", [7], []],
    ["fsync", [7], []],
  ])("%s %j", (method, args, expected) => {
    expect(acc(method, ...args)).toEqual(expected);
  });

  it("paths: Buffers, file: URLs, absolute paths, normalisation", () => {
    expect(acc("readFile", Buffer.from("b.txt"))).toEqual(["read file:~/b.txt in dir:~"]);
    expect(acc("readFile", pathToFileURL("/work/app/c.txt"))).toEqual(["read file:~/c.txt in dir:~"]);
    expect(acc("readFile", "./x/../c.txt")).toEqual(["read file:~/c.txt in dir:~"]);
  });

  it("labels are relative to cwd when inside it", () => {
    expect(one("writeFile", "data/out.json", "")[0]!.label).toBe("file data/out.json");
    expect(one("readdir", "data")[0]!.label).toBe("directory data/");
    expect(one("readFile", "/etc/hosts")[0]!.label).toBe("file /etc/hosts");
    expect(classifyFs("writeFileSync", ["data/out.json", "{}"], { cwd }).text).toBe("writeFile(data/out.json)");
  });

  it("check-then-create conflicts; creating two different files in one directory does not; a listing does", () => {
    const [exists] = one("existsSync", "lock");
    const [create] = one("open", "lock", "wx");
    const [other] = one("writeFile", "other", "");
    const [list] = one("readdir", ".");
    expect(resourceConflict(exists!, create!)).toBe(true);
    expect(resourceConflict(create!, other!)).toBe(false);
    expect(resourceConflict(list!, create!)).toBe(true);
    expect(resourceConflict(list!, one("readFile", "lock")[0]!)).toBe(false);
    // removing a directory conflicts with creating an entry in it
    const rmdir = one("rmdir", "d");
    expect(rmdir.some((a) => resourceConflict(a, one("writeFile", "d/x", "")[0]!))).toBe(true);
  });

  it.each<[string, unknown[]]>([
    ["read", [99, Buffer.alloc(1)]],
    ["readFile", [99]],
    ["close", [99]],
    ["readFile", [{}]],
    ["readFile", [new URL("http://example.com/x")]],
    ["open", ["a", "q"]],
    ["rm", ["d", { recursive: true }]],
    ["readdir", ["d", { recursive: true }]],
    ["cp", ["a", "b", { recursive: true }]],
    ["frobnicate", ["a"]],
  ])("conservative: %s %j is unmodelled", (method, args) => {
    const e = classifyFs(method, args, { cwd });
    expect(e.modelled).toBe(false);
    expect(e.accesses).toEqual([]);
  });
});
