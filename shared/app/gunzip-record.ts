import { gunzipSync } from "node:zlib";
import { RECORD_BYTES_MAX, type ValidationIssue } from "../domain/events/index.js";

/** Whether the bytes start like a gzip member (`1f 8b`). */
export function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

/** The bytes inside a gzip record, or why they cannot be had. */
export type Gunzipped = { ok: true; data: Uint8Array } | { ok: false; issue: ValidationIssue };

/**
 * Decompresses a gzip record, bounded: zlib stops as soon as the output would pass {@link RECORD_BYTES_MAX}
 * (1 MiB, the largest record decoded), so a zip bomb costs at most that much memory and is refused (rule
 * `size`). Bytes that are not a valid gzip stream are refused with rule `gzip`.
 */
export function gunzipRecord(data: Uint8Array): Gunzipped {
  try {
    return { ok: true, data: gunzipSync(data, { maxOutputLength: RECORD_BYTES_MAX }) };
  } catch (error) {
    if (error instanceof RangeError && "code" in error && error.code === "ERR_BUFFER_TOO_LARGE") {
      return {
        ok: false,
        issue: {
          path: "",
          rule: "size",
          message: `gzip-compressed record expands beyond ${RECORD_BYTES_MAX} bytes (1 MiB): refused`,
        },
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issue: { path: "", rule: "gzip", message: `gzip-compressed record is corrupt: ${reason}` },
    };
  }
}
