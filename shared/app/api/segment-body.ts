import { exceedsJsonDepth, quoteUnsafeIntegers } from "#shared/domain/events/json-guard.js";
import { JSON_DEPTH_MAX } from "#shared/domain/events/limits.js";
import { gunzipBounded } from "../../gzip.js";

/** Largest call (one event) Segment's HTTP API takes: 32 KB. */
export const SEGMENT_CALL_MAX_BYTES = 32 * 1024;
/** Largest `/v1/batch` or `/v1/import` request Segment's HTTP API takes: 500 KB (after any gzip is undone). */
export const SEGMENT_BATCH_MAX_BYTES = 500 * 1024;

/** A body read as JSON, or why it cannot be (a message for a 400, naming the rule, never internals). */
export type SegmentBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function inflate(body: Uint8Array, maxBytes: number): Uint8Array | string {
  const inflated = gunzipBounded(body, maxBytes);
  if (inflated.ok) return inflated.data;
  return inflated.reason === "too_large"
    ? `the body is over ${maxBytes} bytes once gunzipped`
    : "the body is not valid gzip (Content-Encoding: gzip)";
}

/**
 * The JSON of a Segment HTTP API request, whatever its `Content-Type` says (`application/json`, `text/plain` from
 * `sendBeacon`, or the `application/x-www-form-urlencoded` label RudderStack's Node library puts on gzip):
 * `Content-Encoding: gzip` is gunzipped, bounded to `maxBytes` inflated; then strict UTF-8, at most
 * {@link JSON_DEPTH_MAX} levels of nesting, `JSON.parse`. An integer literal beyond 2^53 is read as its exact
 * decimal text, as the ingest reads it, so re-serialising the calls keeps every digit.
 */
export function readSegmentBody(
  body: Uint8Array,
  contentEncoding: string | undefined,
  maxBytes: number,
): SegmentBody {
  const encoding = (contentEncoding ?? "identity").trim().toLowerCase();
  let bytes = body;
  if (encoding === "gzip" || encoding === "x-gzip") {
    const inflated = inflate(body, maxBytes);
    if (typeof inflated === "string") return { ok: false, message: inflated };
    bytes = inflated;
  } else if (encoding !== "identity" && encoding !== "") {
    return { ok: false, message: `Content-Encoding ${encoding} is not supported: send gzip or nothing` };
  }
  if (bytes.byteLength > maxBytes) return { ok: false, message: `the body is over ${maxBytes} bytes` };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, message: "the body is not valid UTF-8" };
  }
  if (exceedsJsonDepth(text)) {
    return { ok: false, message: `the body is JSON nested deeper than ${JSON_DEPTH_MAX} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(quoteUnsafeIntegers(text)) };
  } catch {
    return { ok: false, message: "the body is not valid JSON" };
  }
}
