/**
 * Normalisation of key values and table names, so that one row or table has one location whatever
 * way a statement spells it.
 *
 * Key values — one rule, chosen to merge rather than split: merging two spellings of one row can
 * only add conflicts (safe), splitting them would hide one.
 * - Numbers, bigints and strings that read as a number (`1`, `"1"`, `"01"`, `" 1 "`, `"1.0"`,
 *   `"1e0"`) become the canonical decimal text of that number: `1`. So `WHERE id = 1` and
 *   `WHERE id = ?` bound to `"1"` name one row, as SQLite's and PostgreSQL's integer columns do.
 *   A text key column whose values happen to look like numbers (`"01"` and `"1"`) then shares
 *   rows: more conflicts, never fewer.
 * - Other strings: quoted with `'`, inner quotes doubled (`'a@b.c'`).
 * - Booleans: `true`/`false`. `null`, objects, Buffers, dates: unknown, so the access falls back
 *   to the whole table.
 */

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The normalised text of a key value, or null when it cannot stand for one row. */
export function keyValue(v: unknown): string | null {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? numberText(v) : null;
    case "bigint":
      return v.toString();
    case "string": {
      const t = v.trim();
      if (INTEGER.test(t)) return BigInt(t).toString();
      if (NUMERIC.test(t)) return numberText(Number(t));
      return `'${v.replace(/'/g, "''")}'`;
    }
    case "boolean":
      return v ? "true" : "false";
    default:
      return null;
  }
}

function numberText(n: number): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  return String(n);
}

/**
 * The location name of a table: unquoted names folded to lower case (PostgreSQL and SQLite
 * compare them so; SQLite ignores case even when quoted; MySQL keeps the case, as its table
 * names are case-sensitive on Linux), the default schema dropped (`public.` for PostgreSQL,
 * `main.` for SQLite), other schema prefixes kept (`audit.log`).
 */
export function tableName(parts: { name: string; quoted: boolean }[], dialect: "sqlite" | "postgres" | "mysql"): string {
  const names = parts.map((p) => (dialect === "mysql" || (p.quoted && dialect !== "sqlite") ? p.name : p.name.toLowerCase()));
  if (names.length > 1) {
    const schema = names[0];
    if ((dialect === "postgres" && schema === "public") || (dialect === "sqlite" && schema === "main")) names.shift();
  }
  return names.join(".");
}

/** A column name, folded as {@link tableName} folds (column names are case-insensitive in all three, unless quoted in PostgreSQL). */
export function columnName(name: string, quoted: boolean, dialect: "sqlite" | "postgres" | "mysql"): string {
  return quoted && dialect === "postgres" ? name : name.toLowerCase();
}
