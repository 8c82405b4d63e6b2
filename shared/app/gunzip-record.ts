import { gunzipSync } from "node:zlib";
import { RECORD_BYTES_MAX, type ValidationIssue } from "../domain/events/index.js";

/** Whether the bytes start like a gzip member (`1f 8b`). */
export function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

/** The bytes inside a gzip record, or why they cannot be had. */
export type Gunzipped = { ok: true; data: Uint8Array } | { ok: false; issue: ValidationIssue };

/** Gzip bytes inflated, or why not: the output would pass the bound, or the bytes are not a gzip stream. */
export type Inflated =
  | { ok: true; data: Uint8Array }
  | { ok: false; reason: "too_large" }
  | { ok: false; reason: "corrupt"; detail: string };

/**
 * Inflates gzip bytes, bounded: zlib stops as soon as the output would pass `maxBytes`, so a zip bomb costs at
 * most that much memory. The one gunzip of the stream records and of the HTTP API's request bodies.
 */
export function gunzipBounded(data: Uint8Array, maxBytes: number): Inflated {
  try {
    return { ok: true, data: gunzipSync(data, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if (error instanceof RangeError && "code" in error && error.code === "ERR_BUFFER_TOO_LARGE") {
      return { ok: false, reason: "too_large" };
    }
    return { ok: false, reason: "corrupt", detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Decompresses a gzip record, bounded to {@link RECORD_BYTES_MAX} (1 MiB, the largest record decoded): a zip
 * bomb is refused (rule `size`), bytes that are not a valid gzip stream are refused with rule `gzip`.
 */
export function gunzipRecord(data: Uint8Array): Gunzipped {
  const inflated = gunzipBounded(data, RECORD_BYTES_MAX);
  if (inflated.ok) return inflated;
  if (inflated.reason === "too_large") {
    return {
      ok: false,
      issue: {
        path: "",
        rule: "size",
        message: `gzip-compressed record expands beyond ${RECORD_BYTES_MAX} bytes (1 MiB): refused`,
      },
    };
  }
  return {
    ok: false,
    issue: { path: "", rule: "gzip", message: `gzip-compressed record is corrupt: ${inflated.detail}` },
  };
}
