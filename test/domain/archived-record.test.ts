import { describe, expect, it } from "vitest";
import {
  type ArchivedRecord,
  archiveHourPrefix,
  archiveHourPrefixes,
  archiveLine,
  parseArchiveText,
} from "#shared/domain/events/archived-record.js";

const record: ArchivedRecord = {
  v: 1,
  shardId: "shardId-000000000001",
  partitionKey: "u-1",
  sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
  subsequenceNumber: 2,
  arrivedAt: "2026-12-06T18:59:59.999Z",
  data: Buffer.from([0x1f, 0x8b, 0x00, 0xff]).toString("base64"),
};

describe("the raw event archive's lines", () => {
  it("round-trips a record, its bytes untouched", () => {
    const { records, errors } = parseArchiveText(archiveLine(record) + archiveLine({ ...record, v: 1 }));
    expect(errors).toEqual([]);
    expect(records).toEqual([record, record]);
    expect([...Buffer.from(records[0]?.data ?? "", "base64")]).toEqual([0x1f, 0x8b, 0x00, 0xff]);
  });

  it("names each line that is not a record, and keeps the others", () => {
    const text = [
      "{not json",
      JSON.stringify({ ...record, data: "not base64!" }),
      JSON.stringify({ ...record, extra: 1 }),
      archiveLine(record).trim(),
    ].join("\n");
    const { records, errors } = parseArchiveText(text);
    expect(records).toEqual([record]);
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(errors[0]?.reason).toBe("not JSON");
    expect(errors[1]?.reason).toMatch(/^data: /);
  });

  it("files an hour under Hive-style partitions in UTC, and a range under its hours and one either side", () => {
    expect(archiveHourPrefix(Date.parse(record.arrivedAt))).toBe("events/year=2026/month=12/day=06/hour=18/");
    const prefixes = archiveHourPrefixes(
      Date.parse("2026-12-31T23:10:00Z"),
      Date.parse("2027-01-01T00:05:00Z"),
    );
    expect(prefixes).toEqual([
      "events/year=2026/month=12/day=31/hour=22/",
      "events/year=2026/month=12/day=31/hour=23/",
      "events/year=2027/month=01/day=01/hour=00/",
      "events/year=2027/month=01/day=01/hour=01/",
    ]);
    expect(() => archiveHourPrefixes(2, 1)).toThrow(RangeError);
  });
});
