// The engine's web build (utils.js) imports { parse, stringify } from "json-bigint" for its serialize/deserialize
// helpers. The dashboard never calls those helpers; it hands the engine raw file bytes. This module only satisfies
// the import with the browser's own JSON, keeping integers beyond 2^53 as BigInt when parsing.
export function parse(text) {
  return JSON.parse(text, (_key, value, context) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value);
}

export function stringify(value) {
  return JSON.stringify(value, (_key, v) =>
    typeof v === "bigint" ? (JSON.rawJSON ? JSON.rawJSON(v.toString()) : v.toString()) : v);
}
