import { RECORD_BYTES_MAX, type ValidationIssue } from "../domain/events/index.js";
import { gunzipBounded } from "../gzip.js";

/** The bytes inside a gzip record, or why they cannot be had. */
export type Gunzipped = { ok: true; data: Uint8Array } | { ok: false; issue: ValidationIssue };

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
