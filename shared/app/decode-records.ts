import { decodeEventBytes, type TailorEvent, type ValidationIssue } from "../domain/events/index.js";
import { isGzip } from "../gzip.js";
import type { StreamRecord } from "../ports.js";
import { gunzipRecord } from "./gunzip-record.js";

/** One event of the batch, decoded: valid, or to quarantine. Both keep the record it came from. */
export type DecodedEntry =
  | {
      readonly ok: true;
      readonly record: StreamRecord;
      readonly event: TailorEvent;
      /** The event's JSON bytes (decompressed; the element's, for an array record). */
      readonly json: Uint8Array;
    }
  | {
      readonly ok: false;
      readonly record: StreamRecord;
      /** The event's index in an array record; undefined when the record (or user record) failed as a whole. */
      readonly elementIndex: number | undefined;
      readonly reason: string;
      readonly issues: readonly ValidationIssue[];
      /** What to keep in the quarantine: the record's bytes as received, or the array element's JSON. */
      readonly raw: Uint8Array;
    };

/**
 * The decode stage of ingest: every (user) record of the batch, in delivery order, becomes its events in the
 * order they sit in the record, each valid or to quarantine on its own. A record the transport could not open
 * (`unreadable`: a corrupt KPL aggregate) is one failure; a gzip record (`1f 8b`) is decompressed first, bounded
 * to 1 MiB ({@link gunzipRecord}); then `decodeEventBytes` reads one event or a JSON array of events, with the
 * record's arrival time as the time of an event that carries none. The order of the result is the fold order of
 * events with the same time.
 */
export function decodeRecords(records: readonly StreamRecord[], now: number): DecodedEntry[] {
  return records.flatMap((record) => decodeRecord(record, now));
}

function decodeRecord(record: StreamRecord, now: number): DecodedEntry[] {
  if (record.unreadable !== undefined) {
    const issue = { path: "", rule: "kpl", message: record.unreadable };
    return [wholeFailure(record, issue)];
  }
  let bytes = record.data;
  if (isGzip(bytes)) {
    const gunzipped = gunzipRecord(bytes);
    if (!gunzipped.ok) return [wholeFailure(record, gunzipped.issue)];
    bytes = gunzipped.data;
  }
  const decoded = decodeEventBytes(bytes, { now, arrivedAt: record.approximateArrivalTimestamp });
  return decoded.map(({ index, raw, result }): DecodedEntry => {
    if (result.ok) return { ok: true, record, event: result.event, json: raw };
    return {
      ok: false,
      record,
      elementIndex: index,
      reason: result.error.message,
      issues: result.error.issues,
      raw: index === undefined ? record.data : raw,
    };
  });
}

function wholeFailure(record: StreamRecord, issue: ValidationIssue): DecodedEntry {
  return {
    ok: false,
    record,
    elementIndex: undefined,
    reason: issue.message,
    issues: [issue],
    raw: record.data,
  };
}
