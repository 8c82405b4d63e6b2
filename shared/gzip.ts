import { gunzip, gunzipSync } from "node:zlib";

/** Whether the bytes start like a gzip member (`1f 8b`). */
export function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

/** Gzip bytes inflated, or why not: the output would pass the bound, or the bytes are not a gzip stream. */
export type Inflated =
  | { ok: true; data: Uint8Array }
  | { ok: false; reason: "too_large" }
  | { ok: false; reason: "corrupt"; detail: string };

/** Why zlib refused: the bound (`ERR_BUFFER_TOO_LARGE`) or anything else, which is a corrupt stream. */
function refusal(error: unknown): Inflated {
  if (error instanceof RangeError && "code" in error && error.code === "ERR_BUFFER_TOO_LARGE") {
    return { ok: false, reason: "too_large" };
  }
  return { ok: false, reason: "corrupt", detail: error instanceof Error ? error.message : String(error) };
}

/**
 * Inflates gzip bytes, bounded: zlib stops as soon as the output would pass `maxBytes`, so a zip bomb costs at
 * most that much memory. The one gunzip of the stream records and of the HTTP API's request bodies.
 */
export function gunzipBounded(data: Uint8Array, maxBytes: number): Inflated {
  try {
    return { ok: true, data: gunzipSync(data, { maxOutputLength: maxBytes }) };
  } catch (error) {
    return refusal(error);
  }
}

/** {@link gunzipBounded} off the event loop's thread, for large inputs (the archive's objects). */
export function gunzipBoundedAsync(data: Uint8Array, maxBytes: number): Promise<Inflated> {
  return new Promise((resolve) => {
    gunzip(data, { maxOutputLength: maxBytes }, (error, out) => {
      resolve(error === null ? { ok: true, data: out } : refusal(error));
    });
  });
}
