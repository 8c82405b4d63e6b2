import { type IngestDeps, type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import type { Quarantine, QuarantinedRecord } from "#shared/ports.js";
import type { HistoricalEvent } from "./import-events.js";
import type { ImportSink, SinkResult } from "./import-run.js";

const encoder = new TextEncoder();

/** Attempts per event before it is refused (a customer whose optimistic write keeps losing to live writers). */
const ATTEMPTS = 3;

/**
 * A quarantine for the import: the events were checked by the same parser before they were built into records,
 * so one reaching it is a bug; its reason is kept and the event is reported as refused, never stored as if it
 * came from the stream.
 */
export class RefusingQuarantine implements Quarantine {
  readonly reasons = new Map<string, string>();

  async put(record: QuarantinedRecord): Promise<void> {
    this.reasons.set(record.sequenceNumber, record.reason);
  }
}

/**
 * The in-process sink: the events go through the same ingest use case as the stream's records (decode, dedup,
 * fold, segments, one conditional write per customer per call), straight against the stack's tables. Records a
 * call fails back (a write that kept losing its version race to live events) are tried again, up to 3 times.
 */
export function ingestSink(deps: Omit<IngestDeps, "quarantine">): ImportSink {
  return {
    async send(events: readonly HistoricalEvent[]): Promise<SinkResult> {
      const now = deps.clock.now();
      const quarantine = new RefusingQuarantine();
      let pending = events.map(
        (event, index): IngestRecord => ({
          sequenceNumber: String(index),
          partitionKey: event.customerId,
          shardId: "import",
          data: encoder.encode(event.json),
          approximateArrivalTimestamp: now,
        }),
      );
      const totals = { written: 0, unchanged: 0, duplicates: 0, erased: 0 };
      let lastError = "";
      for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
        const { failed, summary } = await ingestBatch({ ...deps, quarantine }, pending).catch(
          (error: unknown) => {
            lastError = error instanceof Error ? error.message : String(error);
            if (attempt === ATTEMPTS) throw error;
            return { failed: new Set(pending.map((r) => r.sequenceNumber)), summary: undefined };
          },
        );
        if (summary !== undefined) {
          totals.written += summary.profilesWritten;
          totals.unchanged += summary.profilesUnchanged;
          totals.duplicates += summary.duplicates;
          totals.erased += summary.erasedDropped;
        }
        pending = pending.filter((record) => failed.has(record.sequenceNumber));
      }
      const failed = new Map<number, string>();
      for (const record of pending) {
        failed.set(
          Number(record.sequenceNumber),
          `not written after ${ATTEMPTS} attempts ${lastError}`.trim(),
        );
      }
      for (const [sequenceNumber, reason] of quarantine.reasons) failed.set(Number(sequenceNumber), reason);
      return { failed, ...totals };
    },
  };
}

/** Segment's batch limits: 500 KB per request (32 KB per event is checked by the parser's size rules). */
const BATCH_BYTES_MAX = 480_000;

/**
 * A deployed stack's sink: the events are posted to `<api>/v1/import` as Segment batch requests
 * (`{ "batch": [...] }`, at most ~480 KB each), authorised with the write key as Segment does (HTTP Basic, the
 * key as user name). The stack puts them on its stream; the stream's ingest folds them. Profiles written are
 * not known from here (0); a request the API refuses fails its events with the status and body.
 */
export function apiSink(options: { readonly url: string; readonly writeKey: string }): ImportSink {
  const endpoint = `${options.url.replace(/\/+$/, "")}/v1/import`;
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString("base64")}`;
  return {
    async send(events: readonly HistoricalEvent[]): Promise<SinkResult> {
      const failed = new Map<number, string>();
      let batch: number[] = [];
      let bytes = 0;
      const post = async () => {
        if (batch.length === 0) return;
        const indexes = batch;
        batch = [];
        bytes = 0;
        const body = `{"batch":[${indexes.map((i) => events[i]?.json ?? "null").join(",")}]}`;
        const reason = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", authorization },
          body,
        }).then(
          async (response) =>
            response.ok ? undefined : `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        if (reason !== undefined) for (const i of indexes) failed.set(i, reason);
      };
      for (const [index, event] of events.entries()) {
        if (bytes + event.json.length + 1 > BATCH_BYTES_MAX) await post();
        batch.push(index);
        bytes += event.json.length + 1;
      }
      await post();
      return { failed, written: 0, unchanged: 0, duplicates: 0, erased: 0 };
    },
  };
}
