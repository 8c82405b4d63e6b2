/** A JSON value, as the export document holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * `value` as plain JSON: objects and arrays copied, `undefined` members and non-JSON values (functions, symbols,
 * non-finite numbers) left out, so the result survives `JSON.stringify` → `JSON.parse` unchanged.
 */
export function toJson(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.flatMap((item: unknown) => toJsonList(item));
  if (value instanceof Set) return [...value].flatMap((item: unknown) => toJsonList(item));
  if (typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value)) {
      const json = toJson(member);
      if (json !== undefined) out[key] = json;
    }
    return out;
  }
  return undefined;
}

function toJsonList(item: unknown): JsonValue[] {
  const json = toJson(item);
  return json === undefined ? [] : [json];
}

/** `value` as a JSON object (an empty one when it is not an object). */
export function toJsonObject(value: unknown): { [key: string]: JsonValue } {
  const json = toJson(value);
  return typeof json === "object" && json !== null && !Array.isArray(json) ? json : {};
}
