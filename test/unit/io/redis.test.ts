import { describe, expect, it } from "vitest";
import { classifyRedis } from "../../../src/io/redis/index.js";
import { resourceConflict } from "../../../src/io/resource.js";

const o = { server: "127.0.0.1:6379" };
const db = "redis:127.0.0.1:6379/0";
function acc(command: string, ...args: (string | number | Buffer | string[])[]): string[] {
  const e = classifyRedis(command, args, o);
  expect(e.modelled, `${command} should be modelled`).toBe(true);
  return e.accesses.map((a) => `${a.op} ${a.location.replace(`${db}:`, "").replace(db, "<db>")}`);
}
const unmodelled = (command: string, ...args: (string | number)[]) => classifyRedis(command, args, o).modelled === false;

describe("classifyRedis", () => {
  it.each<[string, (string | number)[], string[]]>([
    ["GET", ["stock:42"], ["read stock:42"]],
    ["get", ["stock:42"], ["read stock:42"]],
    ["SET", ["stock:42", "10", "EX", 60], ["write stock:42"]],
    ["INCR", ["n"], ["write n"]],
    ["INCRBY", ["n", 5], ["write n"]],
    ["MGET", ["a", "b", "c"], ["read a", "read b", "read c"]],
    ["MSET", ["a", "1", "b", "2"], ["write a", "write b"]],
    ["DEL", ["a", "b"], ["write a", "write b"]],
    ["EXISTS", ["a"], ["read a"]],
    ["HGET", ["h", "f"], ["read h"]],
    ["HSET", ["h", "f", "v"], ["write h"]],
    ["LPUSH", ["q", "x"], ["write q"]],
    ["LRANGE", ["q", 0, -1], ["read q"]],
    ["LMOVE", ["src", "dst", "LEFT", "RIGHT"], ["write src", "write dst"]],
    ["RENAME", ["a", "b"], ["write a", "write b"]],
    ["ZADD", ["z", 1, "m"], ["write z"]],
    ["ZUNIONSTORE", ["dst", 2, "z1", "z2"], ["write dst", "write z1", "write z2"]],
    ["SINTERCARD", [2, "s1", "s2"], ["read s1", "read s2"]],
    ["XREAD", ["COUNT", 1, "STREAMS", "s1", "s2", "0", "0"], ["read s1", "read s2"]],
    ["BLPOP", ["q1", "q2", 0], ["write q1", "write q2"]],
    ["OBJECT", ["ENCODING", "k"], ["read k"]],
    ["WATCH", ["a", "b"], ["read a", "read b"]],
    ["EVAL", ["return 1", 2, "k1", "k2", "arg"], ["write k1", "write k2"]],
    ["EVALSHA", ["abc", 1, "k1"], ["write k1"]],
    ["EVAL_RO", ["return 1", 1, "k1"], ["read k1"]],
    ["FCALL", ["f", 1, "k1", "x"], ["write k1"]],
    ["FLUSHDB", [], ["write <db>"]],
    ["KEYS", ["user:*"], ["read <db>"]],
    ["SCAN", [0, "MATCH", "x*"], ["read <db>"]],
    ["DBSIZE", [], ["read <db>"]],
    ["PING", [], []],
    ["INFO", ["memory"], []],
    ["MULTI", [], []],
    ["EXEC", [], []],
    ["UNWATCH", [], []],
    ["SELECT", [2], []],
    ["CLIENT", ["SETNAME", "x"], []],
  ])("%s %j", (command, args, expected) => {
    expect(acc(command, ...args)).toEqual(expected);
  });

  it("labels, within and db", () => {
    const e = classifyRedis("SET", ["stock:42", "1"], { server: "s:1", db: 3 });
    expect(e).toEqual({ accesses: [{ op: "write", location: "redis:s:1/3:stock:42", within: "redis:s:1/3", label: "Redis key stock:42" }], modelled: true, text: "SET stock:42 1" });
  });

  it("keys conflict with whole-database commands of their database (within)", () => {
    const key = classifyRedis("GET", ["k"], o).accesses[0]!;
    expect(resourceConflict(key, classifyRedis("FLUSHDB", [], o).accesses[0]!)).toBe(true);
    expect(resourceConflict(classifyRedis("SET", ["k", 1], o).accesses[0]!, classifyRedis("KEYS", ["*"], o).accesses[0]!)).toBe(true);
    expect(resourceConflict(key, classifyRedis("FLUSHDB", [], { ...o, db: 1 }).accesses[0]!)).toBe(false);
    expect(resourceConflict(key, classifyRedis("SET", ["other", 1], o).accesses[0]!)).toBe(false);
  });

  it("Buffer keys and nested argument arrays", () => {
    expect(acc("GET", Buffer.from("bin:1"))).toEqual(["read bin:1"]);
    expect(acc("GET", Buffer.from([0xff, 0x41]))).toEqual(["read \\xffA"]);
    expect(acc("MGET", ["a", "b"])).toEqual(["read a", "read b"]);
  });

  it("pub/sub: channels", () => {
    expect(classifyRedis("PUBLISH", ["ch", "msg"], o).accesses.map((a) => `${a.op} ${a.location}`)).toEqual(["write redis:127.0.0.1:6379/channel:ch"]);
    expect(classifyRedis("SUBSCRIBE", ["a", "b"], o).accesses.map((a) => a.op)).toEqual(["read", "read"]);
  });

  it("long values are shortened in the text", () => {
    expect(classifyRedis("SET", ["k", "x".repeat(100)], o).text.length).toBeLessThan(60);
  });

  it.each<[string, (string | number)[]]>([
    ["EVAL", ["return redis.call('GET', 'x')", 0]],
    ["EVALSHA", ["abc", "not-a-number"]],
    ["EVAL", ["return 1", 3, "k1"]],
    ["FCALL", ["f", 0]],
    ["FLUSHALL", []],
    ["SWAPDB", [0, 1]],
    ["FUNCTION", ["LOAD", "#!lua name=x"]],
    ["PSUBSCRIBE", ["news.*"]],
    ["NOSUCHCOMMAND", ["k"]],
    ["GET", []],
    ["CONFIG", ["SET", "maxmemory-policy", "allkeys-lru"]],
    ["SHUTDOWN", []],
    ["SCRIPT", ["FLUSH"]],
    ["CLIENT", ["KILL", "ID", 7]],
    ["DEBUG", ["SLEEP", 0]],
  ])("conservative: %s %j is unmodelled", (command, args) => {
    expect(unmodelled(command, ...args)).toBe(true);
  });
});
