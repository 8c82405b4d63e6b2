import { describe, expect, it } from "vitest";
import { quarantineDocument, quarantineKey } from "#shared/aws/s3-quarantine.js";
import { RECORDS_PREFIX } from "#shared/aws/s3-quarantine-index.js";
import type { QuarantinedRecord } from "#shared/ports.js";

const base: QuarantinedRecord = {
  reason: "not JSON",
  issues: [{ path: "", rule: "json", message: "not JSON" }],
  source: "kinesis",
  shardId: "shardId-000000000001",
  sequenceNumber: "4960",
  partitionKey: "c-1",
  approximateArrivalTimestamp: Date.UTC(2026, 10, 23, 12),
  raw: new TextEncoder().encode("{"),
  receivedAt: Date.UTC(2026, 10, 23, 12, 0, 1),
};

describe("quarantine keys of events from one record", () => {
  it("gives each user record of an aggregate and each array element its own key, and says which in the document", () => {
    const records = [
      base,
      { ...base, subSequenceNumber: 0 },
      { ...base, subSequenceNumber: 1 },
      { ...base, elementIndex: 3 },
      { ...base, subSequenceNumber: 1, elementIndex: 3 },
    ];

    const keys = records.map(quarantineKey);

    expect(new Set(keys).size).toBe(records.length);
    expect(keys[0]).toBe(`${RECORDS_PREFIX}2026/11/23/shardId-000000000001/4960.json`);
    expect(keys[4]).toBe(`${RECORDS_PREFIX}2026/11/23/shardId-000000000001/4960-1.3.json`);
    expect(JSON.parse(quarantineDocument(records[4] ?? base))).toMatchObject({
      subSequenceNumber: 1,
      elementIndex: 3,
    });
    expect(JSON.parse(quarantineDocument(base))).not.toHaveProperty("subSequenceNumber");
  });
});
