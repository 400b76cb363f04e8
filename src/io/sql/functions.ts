/**
 * Built-in SQL functions that read or write no table: a call to any function not listed here
 * (a user-defined function, a procedure, an extension's) makes the statement unmodelled, since it
 * may read or write anything. Sequence functions and advisory locks are handled in `analyze.ts`.
 */
import type { Dialect } from "./plan.js";

const COMMON = [
  // aggregates and window functions
  "count", "sum", "avg", "min", "max", "total", "group_concat", "string_agg", "array_agg", "json_agg", "jsonb_agg",
  "json_object_agg", "jsonb_object_agg", "json_group_array", "json_group_object", "bool_and", "bool_or", "every",
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
  "last_value", "nth_value", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
  "bit_and", "bit_or", "bit_xor", "percentile_cont", "percentile_disc", "mode",
  // scalar
  "abs", "coalesce", "ifnull", "nullif", "iif", "if", "greatest", "least", "length", "char_length",
  "character_length", "octet_length", "lower", "upper", "trim", "ltrim", "rtrim", "btrim", "substr", "substring",
  "replace", "instr", "position", "strpos", "concat", "concat_ws", "format", "printf", "quote", "hex", "unhex",
  "round", "ceil", "ceiling", "floor", "trunc", "truncate", "mod", "power", "pow", "sqrt", "exp", "ln", "log",
  "log10", "log2", "sign", "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "degrees", "radians",
  "random", "randomblob", "zeroblob", "typeof", "cast", "char", "chr", "ascii", "unicode", "likely", "unlikely",
  "likelihood", "glob", "like", "regexp_replace", "regexp_matches", "regexp_match", "regexp_like", "left",
  "right", "lpad", "rpad", "repeat", "reverse", "split_part", "md5", "sha1", "sha2", "sha256", "encode",
  "decode", "to_hex", "initcap", "translate", "soundex", "uuid", "gen_random_uuid", "uuid_generate_v4",
  // dates
  "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff", "now", "current_date",
  "current_time", "current_timestamp", "localtime", "localtimestamp", "date_trunc", "date_part", "extract",
  "age", "to_char", "to_date", "to_timestamp", "to_number", "make_date", "make_time", "make_timestamp",
  "make_interval", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
  "date_add", "date_sub", "datediff", "date_format", "from_unixtime", "unix_timestamp", "utc_timestamp",
  "curdate", "curtime", "sysdate", "year", "month", "day", "hour", "minute", "second", "dayofweek", "week",
  // JSON
  "json", "jsonb", "json_array", "json_object", "json_extract", "json_insert", "json_replace", "json_set",
  "json_remove", "json_patch", "json_type", "json_valid", "json_quote", "json_array_length", "json_each",
  "json_tree", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
  "to_json", "to_jsonb", "jsonb_set", "jsonb_insert", "json_extract_path", "jsonb_extract_path",
  "json_extract_path_text", "jsonb_extract_path_text", "jsonb_array_elements", "json_array_elements",
  "jsonb_array_elements_text", "json_array_elements_text", "jsonb_each", "jsonb_each_text",
  "jsonb_object_keys", "json_object_keys", "jsonb_typeof", "json_typeof", "jsonb_strip_nulls",
  "jsonb_pretty", "row_to_json", "json_contains", "json_unquote", "json_keys", "json_length",
  // arrays, sets, misc
  "unnest", "array_length", "array_position", "array_append", "array_prepend", "array_cat", "array_remove",
  "array_to_string", "string_to_array", "cardinality", "generate_series", "generate_subscripts",
  "hashtext", "hashtextextended", "pg_sleep", "sleep", "version", "current_user", "session_user", "user",
  "current_schema", "current_database", "database", "schema", "last_insert_rowid", "changes", "total_changes",
  "last_insert_id", "row_count", "found_rows", "sqlite_version", "currval", "lastval", "pg_backend_pid",
  "connection_id", "txid_current", "pg_current_xact_id", "inet_server_port", "pg_typeof", "num_nonnulls",
  "num_nulls", "any_value", "bool", "int", "integer", "text", "float", "numeric", "decimal",
];

const PURE = new Set(COMMON);

/** Whether `name` (lower case, schema stripped) is a built-in that reads and writes no table. */
export function isPureFunction(name: string, _dialect: Dialect): boolean {
  return PURE.has(name);
}
