import { decodeEvent, type ValidationIssue } from "#shared/domain/events/index.js";
import { guardJson } from "#shared/domain/events/json-guard.js";
import type { EventRecord } from "#shared/ports.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, jsonResponse, RETRY_AFTER_SECONDS } from "./api-http.js";

/** Largest body `POST /v1/events` takes: 1 MiB, so every event in it fits a Kinesis record. */
export const EVENTS_BODY_MAX_BYTES = 1_048_576;
/** Most events in one `{ "batch": [...] }`: one PutRecords call. */
export const EVENTS_BATCH_MAX = 500;

/** One refused event (or the body itself, without `index`). */
export interface EventError {
  readonly index?: number;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

function refused(errors: readonly EventError[]): ApiResponse {
  return jsonResponse(400, { errors });
}

function bodyError(rule: string, message: string): ApiResponse {
  return refused([{ message, issues: [{ path: "", rule, message }] }]);
}

function isJsonType(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json" || (type?.startsWith("application/") === true && type.endsWith("+json"));
}

function isBatch(value: unknown): value is { batch: unknown } {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.hasOwn(value, "batch")
  );
}

/** One event of the body: the bytes its record will carry, or why it cannot even be serialised. */
type BodyEvent = { readonly data: Uint8Array } | { readonly issue: ValidationIssue };

/**
 * The events of the body: the body itself for a single event (decoded exactly as the ingest decodes a record),
 * each element re-serialised for a batch. An element nested too deeply is refused before serialising it, so a
 * hostile body cannot exhaust the stack.
 */
function bodyEvents(
  body: Uint8Array,
): { ok: true; events: BodyEvent[] } | { ok: false; response: ApiResponse } {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : "unreadable";
    return { ok: false, response: bodyError("json", `the body is not UTF-8 JSON: ${reason}`) };
  }
  if (!isBatch(value)) return { ok: true, events: [{ data: body }] };
  const { batch } = value;
  if (!Array.isArray(batch) || batch.length === 0) {
    return { ok: false, response: bodyError("batch", "batch must be a non-empty array of events") };
  }
  if (batch.length > EVENTS_BATCH_MAX) {
    return {
      ok: false,
      response: bodyError("batch", `batch holds ${batch.length} events; the limit is ${EVENTS_BATCH_MAX}`),
    };
  }
  const events = batch.map((item: unknown): BodyEvent => {
    const guarded = guardJson(item);
    return guarded.ok ? { data: encoder.encode(JSON.stringify(item)) } : { issue: guarded.issue };
  });
  return { ok: true, events };
}

/**
 * `POST /v1/events`: one Segment-spec event, or `{ "batch": [...] }` of up to 500, for apps that cannot reach
 * Kinesis. Every event is checked by the ingest's decoder; all or nothing: one invalid event refuses the request
 * (400, every error listed by index) and nothing is put. Valid events go on the stream keyed by customer: 202
 * `{ accepted }`. If the stream refuses some, 503 with `Retry-After`: the client sends the request again, and
 * the events already put are applied once (the fold de-duplicates on `messageId`).
 *
 * Authentication is not done here: on AWS the route has an IAM authorizer (AWS_IAM), so only signed callers
 * reach this code.
 */
export async function collectEvents(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  if (!isJsonType(request.headers["content-type"])) {
    return jsonResponse(415, { errors: [{ message: "content-type must be application/json", issues: [] }] });
  }
  if (request.body.byteLength > EVENTS_BODY_MAX_BYTES) {
    return jsonResponse(413, {
      errors: [{ message: `the body is over ${EVENTS_BODY_MAX_BYTES} bytes (1 MiB)`, issues: [] }],
    });
  }
  const read = bodyEvents(request.body);
  if (!read.ok) return read.response;
  const now = deps.clock.now();
  const records: EventRecord[] = [];
  const errors: EventError[] = [];
  read.events.forEach((event, index) => {
    if ("issue" in event) {
      errors.push({ index, message: event.issue.message, issues: [event.issue] });
      return;
    }
    const decoded = decodeEvent(event.data, now);
    if (decoded.ok) records.push({ customerId: decoded.event.customerId, data: event.data });
    else errors.push({ index, message: decoded.error.message, issues: decoded.error.issues });
  });
  if (errors.length > 0) return refused(errors);
  const outcome = await deps.events.put(records);
  if (outcome.rejected.length > 0) {
    return jsonResponse(
      503,
      { errors: [{ message: "the event stream is busy; send the request again", issues: [] }] },
      { "retry-after": String(RETRY_AFTER_SECONDS) },
    );
  }
  return jsonResponse(202, { accepted: outcome.accepted });
}
