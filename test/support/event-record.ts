import type { IngestRecord } from "#shared/app/ingest-batch.js";

const encoder = new TextEncoder();
let sequence = 0;

/**
 * A stream record holding one event as a producer would put it: keyed by the `userId`, or the `anonymousId` before
 * there is one, with a fresh sequence number.
 */
export function eventRecord(
  event: Record<string, unknown>,
  options: { readonly shardId?: string; readonly arrivedAt: number },
): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: String(event.userId ?? event.anonymousId),
    shardId: options.shardId ?? "shardId-000000000000",
    data: encoder.encode(JSON.stringify(event)),
    approximateArrivalTimestamp: options.arrivedAt,
  };
}
