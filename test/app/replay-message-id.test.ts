import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeRecords } from "#shared/app/decode-records.js";
import { userRecordsOf } from "#shared/aws/kinesis-user-records.js";
import { archiveLine, parseArchiveText } from "#shared/domain/events/archived-record.js";
import type { StreamRecord } from "#shared/ports.js";
import { kplAggregate } from "#test/support/kpl-aggregate.js";

const arrivedAt = Date.parse("2026-12-06T18:30:00Z");
const replayedAt = Date.parse("2026-12-07T09:00:00Z");
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

const noId = {
  type: "track",
  userId: "u-1",
  event: "Product Viewed",
  properties: { product_id: "p-1" },
  timestamp: "2026-12-06T18:29:00Z",
};
const noIdGzip = gzipSync(encode({ ...noId, event: "Product Added", properties: { product_id: "p-9" } }));
const noIdArray = encode([
  { type: "page", userId: "u-2", name: "Home", timestamp: "2026-12-06T18:29:01Z" },
  { type: "track", userId: "u-2", event: "Newsletter Opened", timestamp: "2026-12-06T18:29:02Z" },
]);
const withId = { ...noId, messageId: "m-1", event: "Checkout Started" };

/**
 * Replay puts each archived user record back as a plain record. Ingest must read it as the same events, with the
 * same messageIds (the fold's dedup), as when it came inside a KPL aggregate.
 */
describe("a de-aggregated user record put back as a plain record", () => {
  it("decodes to the same events with the same messageIds, derived ones included", async () => {
    // GIVEN a KPL aggregate of four user records, three of them without messageId
    const users = [
      { partitionKey: "u-1", data: encode(noId) },
      { partitionKey: "u-1", data: noIdGzip },
      { partitionKey: "u-2", data: noIdArray },
      { partitionKey: "u-1", data: encode(withId) },
    ];
    const [aggregate] = await kplAggregate(users);
    if (aggregate === undefined) throw new Error("no aggregate");
    const original: StreamRecord = {
      sequenceNumber: "4959000000000000000001",
      partitionKey: "u-1",
      shardId: "shardId-000000000000",
      data: aggregate,
      approximateArrivalTimestamp: arrivedAt,
    };
    const deaggregated = userRecordsOf(original);
    const first = decodeRecords(deaggregated, arrivedAt);

    // WHEN each user record goes through the archive's line format and back on the stream as a plain record
    const lines = deaggregated.map((user) =>
      archiveLine({
        v: 1,
        shardId: user.shardId ?? "",
        partitionKey: user.partitionKey,
        sequenceNumber: user.sequenceNumber,
        ...(user.subSequenceNumber === undefined ? {} : { subsequenceNumber: user.subSequenceNumber }),
        arrivedAt: new Date(user.approximateArrivalTimestamp).toISOString(),
        data: Buffer.from(user.data).toString("base64"),
      }),
    );
    const { records, errors } = parseArchiveText(lines.join(""));
    expect(errors).toEqual([]);
    const replayed = records.flatMap((record, i) =>
      userRecordsOf({
        sequenceNumber: `4959000000000000000${100 + i}`,
        partitionKey: record.partitionKey,
        shardId: "shardId-000000000001",
        data: Buffer.from(record.data, "base64"),
        approximateArrivalTimestamp: replayedAt,
      }),
    );
    const again = decodeRecords(replayed, replayedAt);

    // THEN the same events, ids and all
    const events = (entries: typeof first) =>
      entries.map((entry) => (entry.ok ? entry.event : `refused: ${entry.reason}`));
    expect(first).toHaveLength(5);
    expect(first.every((entry) => entry.ok)).toBe(true);
    expect(events(again)).toEqual(events(first));
    const ids = events(first).map((event) => (typeof event === "string" ? event : event.messageId));
    expect(ids.filter((id) => id.startsWith("derived-"))).toHaveLength(4);
    expect(ids).toContain("m-1");
  });

  it("gives an event without a time of its own the replay's arrival time (its messageId still matches)", () => {
    const bytes = encode({ type: "track", userId: "u-3", event: "Newsletter Opened" });
    const at = (time: number): StreamRecord => ({
      sequenceNumber: String(time),
      partitionKey: "u-3",
      shardId: "shardId-000000000000",
      data: bytes,
      approximateArrivalTimestamp: time,
    });
    const [first] = decodeRecords([at(arrivedAt)], arrivedAt);
    const [again] = decodeRecords([at(replayedAt)], replayedAt);
    if (!first?.ok || !again?.ok) throw new Error("not decoded");
    expect(again.event.messageId).toBe(first.event.messageId);
    expect(first.event.timestamp).toBe(arrivedAt);
    expect(again.event.timestamp).toBe(replayedAt);
  });
});
