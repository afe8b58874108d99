// Convex's wire encodings: timestamps as base64 of 8 little-endian bytes, values as Convex JSON,
// and the lossy "clean" JSON of the HTTP API's default format.
import { convexToJson, jsonToConvex } from "convex/values";

export const INITIAL_TS = 0n;

export function encodeTs(ts) {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(ts));
  return bytes.toString("base64");
}

export function decodeTs(text) {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== 8) throw new Error(`a timestamp must be 8 bytes, got ${bytes.length}`);
  return bytes.readBigUInt64LE();
}

export const toWire = (value) => convexToJson(value === undefined ? null : value);
export const fromWire = (json) => jsonToConvex(json);

/** The function's single argument object from `[args]` or `args`. */
export function argsFromWire(json) {
  const args = Array.isArray(json) ? (json.length === 0 ? {} : json[0]) : json ?? {};
  if (Array.isArray(json) && json.length > 1) throw new Error("a function takes exactly one argument object");
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw new Error("the arguments must be an object");
  return fromWire(args);
}

const CLEAN_FLOATS = { "AAAAAAAA+H8=": "NaN", "AAAAAAAA8H8=": "Infinity", "AAAAAAAA8P8=": "-Infinity", "AAAAAAAAAIA=": -0 };

/** Convex JSON → "clean" JSON: int64 as a decimal string, bytes as base64, special floats as strings. */
export function toCleanJson(json) {
  if (Array.isArray(json)) return json.map(toCleanJson);
  if (json === null || typeof json !== "object") return json;
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === "$integer") return Buffer.from(json.$integer, "base64").readBigInt64LE().toString();
  if (keys.length === 1 && keys[0] === "$float") return CLEAN_FLOATS[json.$float];
  if (keys.length === 1 && keys[0] === "$bytes") return json.$bytes;
  return Object.fromEntries(keys.map((k) => [k, toCleanJson(json[k])]));
}

/** Encodes a function value in the requested HTTP `format`. */
export function encodeForFormat(value, format) {
  const json = toWire(value);
  return format === "convex_encoded_json" || format === "convex_json" ? json : toCleanJson(json);
}
