import { EventValidationError, type ValidationIssue } from "./event-validation-error.js";
import { depthIssue, exceedsJsonDepth, quoteUnsafeIntegers } from "./json-guard.js";
import { RECORD_BYTES_MAX } from "./limits.js";
import { type ParseResult, parseEvent } from "./parse-event.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes one raw record: size check (≤ 1 MiB) → strict UTF-8 (invalid bytes are an error) → nesting check
 * (≤ 32 levels) → `JSON.parse` → {@link parseEvent}. An integer literal beyond 2^53 is read as its exact
 * decimal text ({@link quoteUnsafeIntegers}): ids and free-form values keep every digit, and numeric fields
 * (prices, quantities) read the text as a number and refuse it as too big. Never throws for bad input.
 */
export function decodeEvent(data: Uint8Array, now: number): ParseResult {
  if (data.byteLength > RECORD_BYTES_MAX) {
    return failed({
      path: "",
      rule: "size",
      message: `record is ${data.byteLength} bytes; the limit is ${RECORD_BYTES_MAX} bytes (1 MiB)`,
    });
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch (cause) {
    return failed(
      { path: "", rule: "utf8", message: "not valid UTF-8: the record holds malformed bytes" },
      cause,
    );
  }
  if (exceedsJsonDepth(text)) return failed(depthIssue());
  let value: unknown;
  try {
    value = JSON.parse(text);
    const exact = quoteUnsafeIntegers(text);
    if (exact !== text) value = JSON.parse(exact);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return failed({ path: "", rule: "json", message: `not JSON: ${reason}` }, cause);
  }
  return parseEvent(value, now);
}

function failed(issue: ValidationIssue, cause?: unknown): ParseResult {
  return { ok: false, error: new EventValidationError([issue], cause === undefined ? undefined : { cause }) };
}
