import { RECORD_BYTES_MAX } from "#shared/domain/events/limits.js";
import type { EventRecord } from "#shared/ports.js";
import type { FilledCall } from "./segment-calls.js";

const encoder = new TextEncoder();

/**
 * The records of a request's calls, in waves to put one after the other. Each customer's calls become one record
 * holding them as a JSON array in request order (a lone call as the object itself), so the ingest reads them in
 * the order sent: PutRecords keeps no order between the records of one call. A customer whose calls do not fit
 * one record ({@link RECORD_BYTES_MAX}) gets one record per wave, in order: the next wave is put only once the
 * previous one is on the stream.
 */
export function recordWaves(calls: readonly FilledCall[], maxBytes = RECORD_BYTES_MAX): EventRecord[][] {
  const byCustomer = new Map<string, { calls: string[]; bytes: number }[]>();
  for (const call of calls) {
    const records = byCustomer.get(call.partitionKey) ?? [];
    byCustomer.set(call.partitionKey, records);
    const size = encoder.encode(call.json).byteLength;
    const last = records.at(-1);
    // As an array, n calls take their bytes plus n + 1 (brackets and commas).
    if (last !== undefined && last.bytes + size + 1 <= maxBytes) {
      last.calls.push(call.json);
      last.bytes += size + 1;
    } else {
      records.push({ calls: [call.json], bytes: size + 2 });
    }
  }
  const waves: EventRecord[][] = [];
  for (const [customerId, records] of byCustomer) {
    records.forEach(({ calls: group }, wave) => {
      const text = group.length === 1 ? (group[0] ?? "") : `[${group.join(",")}]`;
      const inWave = waves[wave] ?? [];
      waves[wave] = inWave;
      inWave.push({ customerId, data: encoder.encode(text) });
    });
  }
  return waves;
}
