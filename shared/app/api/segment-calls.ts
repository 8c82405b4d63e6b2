import { createHash } from "node:crypto";
import { SEGMENT_CALL_MAX_BYTES } from "./segment-body.js";

/** The call types of Segment's spec, each with its own path (`/v1/track`) and short path (`/v1/t`). */
export const SEGMENT_CALL_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type SegmentCallType = (typeof SEGMENT_CALL_TYPES)[number];

/**
 * Most calls in one batch request. Segment states none beyond 500 KB; this bounds the records one request can put
 * (a 500 KB body of empty objects would be 170,000 of them) while leaving room for 500 KB of ~200-byte calls.
 */
export const SEGMENT_BATCH_MAX_CALLS = 2_500;

/** Longest Kinesis partition key; a longer customer id is hashed into one (its event fails validation anyway). */
const PARTITION_KEY_MAX = 256;

/** How a request's calls are filled before they go on the stream. */
export interface FillOptions {
  /** Id of the write key the request was sent with: part of a derived `messageId`. */
  readonly keyId: string;
  /** When the API received the request, epoch ms: every call's `receivedAt`. */
  readonly receivedAt: number;
  /** `/v1/import`: mark every call historical (`context.tailor.historical = true`). */
  readonly historical: boolean;
}

/** One call, filled and serialised: the bytes its record carries, and the partition key (its customer). */
export interface FilledCall {
  /** The customer (`userId`, else `anonymousId`), or a key derived from the call when it names neither. */
  readonly partitionKey: string;
  /** The filled call as JSON. */
  readonly json: string;
}

/** Calls ready for the stream, or why the request is refused (400): the rule broken, naming the call. */
export type FilledCalls =
  | { readonly ok: true; readonly calls: readonly FilledCall[] }
  | { readonly ok: false; readonly message: string };

type JsonObject = Record<string, unknown>;

const encoder = new TextEncoder();

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** JSON with object keys sorted at every level: the same call gives the same text whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The `messageId` the API gives a call that has none: `api-` and 32 hex digits of the SHA-256 of the write key's id
 * and the canonical JSON of the call without `sentAt` (which a library's retry changes). The same call sent
 * again, by a retry, gets the same id, so the fold counts it once.
 */
export function derivedMessageId(keyId: string, call: JsonObject): string {
  const { sentAt: _sentAt, ...stable } = call;
  return `api-${sha256(`${keyId}\n${canonicalJson(stable)}`).slice(0, 32)}`;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** The partition key of a call: its customer, as the ingest reads it (`userId`, else `anonymousId`). */
function partitionKeyOf(call: unknown, json: string): string {
  const customer = isObject(call) ? (idOf(call.userId) ?? idOf(call.anonymousId)) : undefined;
  if (customer !== undefined && customer.length <= PARTITION_KEY_MAX) return customer;
  return `x-${sha256(json).slice(0, 40)}`;
}

/** Batch-level `context` or `integrations` under the call's own: the call's keys win (as Segment merges them). */
function merged(batchLevel: unknown, own: unknown): unknown {
  if (!isObject(batchLevel)) return own;
  if (own === undefined || own === null) return batchLevel;
  return isObject(own) ? { ...batchLevel, ...own } : own;
}

/** The parts of a `/v1/batch` body that apply to every call in it. */
export interface BatchEnvelope {
  readonly sentAt?: unknown;
  readonly context?: unknown;
  readonly integrations?: unknown;
}

function sizeOf(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? "").byteLength;
}

/**
 * Fills one call as Segment's server does before it goes on the stream: the batch's `context` and `integrations`
 * merged under its own, `type` from the path for a single-call route, `writeKey` taken out (it is never stored),
 * a derived `messageId` when it has none, the batch's `sentAt` when it has none, `receivedAt` (the time received,
 * always the server's), and on `/v1/import` the historical mark. A call that is not an object is passed on as
 * it is: the ingest quarantines it with its raw bytes and the reason.
 */
function fillCall(
  call: unknown,
  index: number,
  envelope: BatchEnvelope,
  pathType: SegmentCallType | undefined,
  options: FillOptions,
): FilledCall | string {
  if (!isObject(call)) {
    const json = JSON.stringify(call) ?? "null";
    return { partitionKey: partitionKeyOf(call, json), json };
  }
  const { writeKey: _writeKey, ...rest } = call;
  const filled: JsonObject = { ...rest };
  if (pathType !== undefined) filled.type = pathType;
  const context = merged(envelope.context, filled.context);
  if (context !== undefined) filled.context = context;
  const integrations = merged(envelope.integrations, filled.integrations);
  if (integrations !== undefined) filled.integrations = integrations;
  if (sizeOf(filled) > SEGMENT_CALL_MAX_BYTES) {
    return `call ${index} is over ${SEGMENT_CALL_MAX_BYTES} bytes (32 KB per call)`;
  }
  if (filled.messageId === undefined || filled.messageId === null) {
    filled.messageId = derivedMessageId(options.keyId, filled);
  }
  if ((filled.sentAt === undefined || filled.sentAt === null) && envelope.sentAt !== undefined) {
    filled.sentAt = envelope.sentAt;
  }
  filled.receivedAt = new Date(options.receivedAt).toISOString();
  if (options.historical) {
    if (filled.context !== undefined && filled.context !== null && !isObject(filled.context)) {
      return `call ${index}: context must be an object`;
    }
    const own = isObject(filled.context) ? filled.context : {};
    const tailor = isObject(own.tailor) ? own.tailor : {};
    filled.context = { ...own, tailor: { ...tailor, historical: true } };
  }
  const json = JSON.stringify(filled);
  return { partitionKey: partitionKeyOf(filled, json), json };
}

/**
 * The calls of a request body, filled for the stream: `{ batch: [...], sentAt?, context?, integrations? }` for
 * the batch routes (`pathType` undefined), one call for the single-call routes. Refuses (the whole request,
 * nothing put) a body of the wrong shape and a call over 32 KB; anything else goes on, valid or not.
 */
export function fillCalls(
  body: unknown,
  pathType: SegmentCallType | undefined,
  options: FillOptions,
): FilledCalls {
  if (!isObject(body)) return { ok: false, message: "the body must be a JSON object" };
  let calls: readonly unknown[];
  let envelope: BatchEnvelope = {};
  if (pathType === undefined) {
    if (!Array.isArray(body.batch)) return { ok: false, message: "batch must be an array of calls" };
    if (body.batch.length > SEGMENT_BATCH_MAX_CALLS) {
      return {
        ok: false,
        message: `batch holds ${body.batch.length} calls; the limit is ${SEGMENT_BATCH_MAX_CALLS}`,
      };
    }
    calls = body.batch;
    envelope = { sentAt: body.sentAt, context: body.context, integrations: body.integrations };
  } else {
    calls = [body];
  }
  const filled: FilledCall[] = [];
  for (const [index, call] of calls.entries()) {
    const result = fillCall(call, index, envelope, pathType, options);
    if (typeof result === "string") return { ok: false, message: result };
    filled.push(result);
  }
  return { ok: true, calls: filled };
}
