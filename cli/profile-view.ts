import { PROFILE_FIELDS } from "#shared/app/privacy/readable-profile.js";
import { preview } from "./format.js";

/** A stored item as plain JSON: sets become arrays, binary becomes base64. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toPlain);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** A stored item's fields as plain JSON (see {@link toPlain}). */
export function plainRecord(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, toPlain(value)]));
}

/** A value for reading: sets as arrays; binary (opaque to a reader) by its size only. */
function readableValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes of binary: see --raw>`;
  if (value instanceof Set) return [...value].map(readableValue);
  if (Array.isArray(value)) return value.map(readableValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readableValue(v)]));
  }
  return value;
}

/**
 * A stored profile item with the readable field names `tailor export` uses (`t` → `traits`, `o` → `orders`, see
 * `PROFILE_FIELDS`); values as stored, except binary, shown by its size.
 */
export function readableItem(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([key, value]) => [PROFILE_FIELDS[key]?.name ?? key, readableValue(value)]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function short(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (isRecord(value)) return "{…}";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function line(value: unknown): string {
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map(short).join(", ");
    return value.length > 5 ? `[${shown}, … ${value.length - 5} more]` : `[${shown}]`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    const shown = entries
      .slice(0, 6)
      .map(([k, v]) => `${k}=${short(v)}`)
      .join(", ");
    return entries.length > 6 ? `${shown}, … ${entries.length - 6} more` : shown || "{}";
  }
  return short(value);
}

/**
 * A profile as a short, readable summary: one line per top-level field (nested objects and lists
 * abbreviated). It reads whatever fields the profile has, so it keeps working as the profile grows.
 */
export function profileSummary(profile: Record<string, unknown>): string[] {
  const { customerId, version, ...rest } = profile;
  const head = `${String(customerId ?? "?")}${version === undefined ? "" : `  (version ${String(version)})`}`;
  const keys = Object.keys(rest).sort();
  const width = Math.min(24, Math.max(0, ...keys.map((k) => k.length)));
  return [head, ...keys.map((key) => `  ${key.padEnd(width)}  ${preview(line(rest[key]), 100)}`)];
}
