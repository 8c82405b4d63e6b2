import { gunzipBounded, isGzip } from "../gzip.js";

/**
 * Fields whose value names a customer, at any depth of a JSON record (Segment's camelCase and the snake_case
 * some producers send). `groupId` names an account, not a person, and is left out.
 */
const ID_FIELDS: ReadonlySet<string> = new Set([
  "userId",
  "anonymousId",
  "user_id",
  "anonymous_id",
  "previousId",
]);

/** The same fields found in text that is not (or not whole) JSON: `"userId": "c-1"`. */
const ID_FIELD_IN_TEXT = /"(userId|anonymousId|user_id|anonymous_id|previousId)"\s*:\s*"([^"\\]{1,512})"/g;

/**
 * An email address as it appears in events: a dot-atom local part (the common characters only, so the bytes
 * next to it in binary data are less likely to be taken in) and a domain with at least one dot.
 */
const EMAIL =
  /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+/g;

/** Printable ASCII runs at least this long are scanned in bytes that are neither UTF-8 text nor a known format. */
const MIN_PRINTABLE_RUN = 3;

/** The magic prefix of a KPL-aggregated record (then a protobuf `AggregatedRecord`, then its MD5). */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const MD5_BYTES = 16;

/** A gzip member starts with these bytes. */

/** Decompressed bytes kept from a gzip record (a Kinesis record is at most 1 MiB; this bounds a gzip bomb). */
const MAX_GUNZIPPED_BYTES = 8 * 1024 * 1024;

/** How deep nested containers (gzip in KPL, …) are opened. */
const MAX_NESTING = 4;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Every identifier a quarantined record may hold for a customer, found leniently in whatever its bytes are:
 *
 * - the record's partition key;
 * - JSON (an event, an array of events, `{ batch: […] }`, anything): every `userId`, `anonymousId`, `user_id`,
 *   `anonymous_id`, `previousId` string at any depth, and every string that looks like an email address
 *   anywhere (traits, properties, context);
 * - text that is not valid JSON (a truncated event, say): the same fields and email addresses, by pattern;
 * - a KPL-aggregated record (magic `f3 89 9a c2`): its partition key table, and each sub-record's data as above
 *   (a damaged one up to the damage, then scanned as other bytes are);
 * - gzip: the decompressed bytes, as above;
 * - other bytes (not UTF-8): email addresses and `"userId":"…"`-style fields in printable ASCII runs.
 *
 * Email addresses are lower-cased (the profile's email is looked up lower-cased too); ids are kept as they are.
 *
 * Limits: an id that appears in binary data outside one of the fields above is not found (its partition key
 * is); an email address with non-ASCII characters, or cut by a non-printable byte, is not found; in binary
 * data a printable byte just before a local part (a length prefix, say) is taken in with it.
 */
export function quarantinedIdentifiers(partitionKey: string, raw: Uint8Array): string[] {
  const found = new Set<string>();
  if (partitionKey !== "") found.add(partitionKey);
  fromBytes(raw, found, 0);
  return [...found];
}

function fromBytes(bytes: Uint8Array, found: Set<string>, depth: number): void {
  if (depth > MAX_NESTING) {
    fromPrintableRuns(bytes, found);
    return;
  }
  if (startsWith(bytes, KPL_MAGIC)) {
    const aggregated = kplRecord(bytes);
    if (aggregated !== undefined) {
      for (const key of aggregated.partitionKeys) if (key !== "") found.add(key);
      for (const data of aggregated.data) fromBytes(data, found, depth + 1);
      // A damaged record: what came after the damage is scanned as bytes.
      if (!aggregated.complete) fromPrintableRuns(bytes, found);
      return;
    }
  }
  if (isGzip(bytes)) {
    const inflated = gunzipBounded(bytes, MAX_GUNZIPPED_BYTES);
    if (inflated.ok) {
      fromBytes(inflated.data, found, depth + 1);
      return;
    }
  }
  const text = utf8(bytes);
  if (text === undefined) {
    fromPrintableRuns(bytes, found);
    return;
  }
  fromText(text, found);
}

function fromText(text: string, found: Set<string>): void {
  const json = parseJson(text);
  if (json !== undefined) fromJson(json, found);
  // Also by pattern: malformed JSON is what the quarantine mostly holds, and it costs little for valid JSON.
  for (const match of text.matchAll(ID_FIELD_IN_TEXT)) {
    const value = match[2];
    if (value !== undefined) found.add(value);
  }
  for (const match of text.matchAll(EMAIL)) found.add(match[0].toLowerCase());
}

/** Walks a parsed JSON value without recursion (depth is whatever the producer sent). */
function fromJson(root: unknown, found: Set<string>): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      for (const match of value.matchAll(EMAIL)) found.add(match[0].toLowerCase());
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, field] of Object.entries(value)) {
        if (ID_FIELDS.has(key) && typeof field === "string" && field !== "") found.add(field);
        else if (ID_FIELDS.has(key) && typeof field === "number") found.add(String(field));
        pending.push(field);
      }
    }
  }
}

/** Printable ASCII runs of binary data, scanned for email addresses and id fields. */
function fromPrintableRuns(bytes: Uint8Array, found: Set<string>): void {
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = bytes[i];
    const printable = byte !== undefined && byte >= 0x20 && byte <= 0x7e;
    if (printable && start < 0) start = i;
    if (!printable && start >= 0) {
      if (i - start >= MIN_PRINTABLE_RUN)
        fromText(Buffer.from(bytes.subarray(start, i)).toString("latin1"), found);
      start = -1;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

/** What a KPL `AggregatedRecord` holds that names customers. */
interface KplRecord {
  readonly partitionKeys: string[];
  readonly data: Uint8Array[];
  /** Whether the whole message was read (a truncated or corrupt one yields what came before the damage). */
  readonly complete: boolean;
}

/**
 * Reads a KPL-aggregated record: magic, protobuf `AggregatedRecord { repeated string partition_key_table = 1;
 * repeated string explicit_hash_key_table = 2; repeated Record records = 3 }` with `Record { … bytes data = 3 }`,
 * then an MD5 of the protobuf (not checked: a record is in the quarantine because something is wrong with it).
 * Damaged messages are read up to the damage (the KPL writes the key table first, so it usually survives);
 * `undefined` when not even one field reads, so the caller scans the bytes instead.
 */
function kplRecord(bytes: Uint8Array): KplRecord | undefined {
  const body = bytes.subarray(KPL_MAGIC.length, Math.max(KPL_MAGIC.length, bytes.length - MD5_BYTES));
  const message = protobufFields(body);
  if (message.fields.length === 0) return undefined;
  const partitionKeys: string[] = [];
  const data: Uint8Array[] = [];
  let complete = message.complete;
  for (const field of message.fields) {
    if (field.bytes === undefined) continue;
    if (field.number === 1) {
      const key = utf8(field.bytes);
      if (key === undefined) complete = false;
      else partitionKeys.push(key);
    } else if (field.number === 3) {
      const record = protobufFields(field.bytes);
      complete &&= record.complete;
      for (const inner of record.fields)
        if (inner.number === 3 && inner.bytes !== undefined) data.push(inner.bytes);
    }
  }
  return { partitionKeys, data, complete };
}

/** One protobuf field: its number, and its bytes when length-delimited. */
interface ProtobufField {
  readonly number: number;
  readonly bytes: Uint8Array | undefined;
}

/** The top-level fields of a protobuf message, up to the first byte that cannot be one. */
function protobufFields(bytes: Uint8Array): { fields: ProtobufField[]; complete: boolean } {
  const fields: ProtobufField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const field = protobufField(bytes, at);
    if (field === undefined) return { fields, complete: false };
    fields.push(field.field);
    at = field.next;
  }
  return { fields, complete: true };
}

/** The field at `at`, and where the next one starts; `undefined` when the bytes there are not a field. */
function protobufField(bytes: Uint8Array, at: number): { field: ProtobufField; next: number } | undefined {
  const tag = varint(bytes, at);
  if (tag === undefined) return undefined;
  const number = Math.floor(tag.value / 8);
  const wireType = tag.value % 8;
  if (number === 0) return undefined;
  if (wireType === 0) {
    const value = varint(bytes, tag.next);
    return value === undefined ? undefined : { field: { number, bytes: undefined }, next: value.next };
  }
  if (wireType === 2) {
    const length = varint(bytes, tag.next);
    if (length === undefined || length.next + length.value > bytes.length) return undefined;
    const end = length.next + length.value;
    return { field: { number, bytes: bytes.subarray(length.next, end) }, next: end };
  }
  if (wireType === 1 || wireType === 5) {
    const next = tag.next + (wireType === 1 ? 8 : 4);
    return next > bytes.length ? undefined : { field: { number, bytes: undefined }, next };
  }
  return undefined;
}

/** A base-128 varint at `at` (up to 2^53, enough for tags, lengths and indexes). */
function varint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 8; i++) {
    const byte = bytes[i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}
