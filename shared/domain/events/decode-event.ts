import { createHash } from "node:crypto";
import { EventValidationError, type ValidationIssue } from "./event-validation-error.js";
import { depthIssue, exceedsJsonDepth, quoteUnsafeIntegers } from "./json-guard.js";
import { DERIVED_ID_PREFIX, EVENTS_PER_RECORD_MAX, RECORD_BYTES_MAX } from "./limits.js";
import { type ParseOptions, type ParseResult, parseEvent } from "./parse-event.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** What decoding needs besides the bytes. */
export interface DecodeOptions {
  /** The time received (epoch ms): the future clamp's reference (see `parseEvent`). */
  readonly now: number;
  /** The record's arrival time on the stream (epoch ms), the time of an event that carries none. */
  readonly arrivedAt?: number;
}

/** One event of a record: where it sits in the record, its bytes, and what validation made of it. */
export interface DecodedEvent {
  /** Its index when the record holds a JSON array of events; undefined for a record holding one event. */
  readonly index: number | undefined;
  /**
   * Its bytes: the record's own for a one-event record (or a record refused as a whole); for an array element,
   * the element as JSON text (re-serialised from the parsed value, so formatting between its tokens is lost).
   */
  readonly raw: Uint8Array;
  readonly result: ParseResult;
}

/**
 * Decodes the bytes of one record into its events, the one function every entry point uses on the bytes it puts
 * on (or takes off) the stream: size check (≤ 1 MiB) → strict UTF-8 (invalid bytes are an error, never replaced)
 * → nesting check (≤ 32 levels) → `JSON.parse` → a JSON object is one event, a JSON array of at most
 * {@link EVENTS_PER_RECORD_MAX} objects is one event per element → {@link parseEvent}. An event without
 * `messageId` takes `derived-` + the SHA-256 of the record's bytes (+ `-` + its index in an array), so the same
 * bytes redelivered or sent again are the same event. An integer literal beyond 2^53 is read as its exact
 * decimal text ({@link quoteUnsafeIntegers}). Never throws for bad input: a record refused as a whole is one
 * failed {@link DecodedEvent} with `index` undefined; an array element's issues are named by its index.
 */
export function decodeEventBytes(data: Uint8Array, options: DecodeOptions): DecodedEvent[] {
  const read = readJson(data);
  if (!read.ok) return [{ index: undefined, raw: data, result: read }];
  const { now, arrivedAt } = options;
  const derived = () => `${DERIVED_ID_PREFIX}${createHash("sha256").update(data).digest("hex")}`;
  if (!Array.isArray(read.value)) {
    return [
      {
        index: undefined,
        raw: data,
        result: parseEvent(read.value, now, parseOptions(derived(), arrivedAt)),
      },
    ];
  }
  const elements: unknown[] = read.value;
  if (elements.length === 0 || elements.length > EVENTS_PER_RECORD_MAX) {
    const message =
      elements.length === 0
        ? "an empty array holds no events"
        : `an array of ${elements.length} events; the limit is ${EVENTS_PER_RECORD_MAX} per record`;
    return [{ index: undefined, raw: data, result: failed({ path: "", rule: "too_big", message }) }];
  }
  const base = derived();
  return elements.map((element, index) => {
    const result = parseEvent(element, now, parseOptions(`${base}-${index}`, arrivedAt));
    return {
      index,
      raw: encoder.encode(JSON.stringify(element)),
      result: result.ok ? result : { ok: false, error: atIndex(result.error, index) },
    };
  });
}

/**
 * Decodes one record holding one event (see {@link decodeEventBytes}, whose checks it shares): a JSON array is
 * refused here. Without `options.fallbackMessageId`, an event without `messageId` is refused.
 */
export function decodeEvent(data: Uint8Array, now: number, options: ParseOptions = {}): ParseResult {
  const read = readJson(data);
  return read.ok ? parseEvent(read.value, now, options) : read;
}

type JsonRead = { ok: true; value: unknown } | { ok: false; error: EventValidationError };

/** Size, strict UTF-8, depth, then JSON with big integers kept exact. */
function readJson(data: Uint8Array): JsonRead {
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
  try {
    const value: unknown = JSON.parse(text);
    const exact = quoteUnsafeIntegers(text);
    return { ok: true, value: exact === text ? value : JSON.parse(exact) };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return failed({ path: "", rule: "json", message: `not JSON: ${reason}` }, cause);
  }
}

function parseOptions(fallbackMessageId: string, arrivedAt: number | undefined): ParseOptions {
  return arrivedAt === undefined ? { fallbackMessageId } : { fallbackMessageId, arrivedAt };
}

/** The element's issues with their paths under `[index]`, so the reason names the element. */
function atIndex(error: EventValidationError, index: number): EventValidationError {
  const issues = error.issues.map((issue) => ({
    ...issue,
    path: `[${index}]${issue.path === "" || issue.path.startsWith("[") ? "" : "."}${issue.path}`,
  }));
  return new EventValidationError(issues, { cause: error });
}

function failed(issue: ValidationIssue, cause?: unknown): { ok: false; error: EventValidationError } {
  return { ok: false, error: new EventValidationError([issue], cause === undefined ? undefined : { cause }) };
}
