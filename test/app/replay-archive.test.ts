import { describe, expect, it } from "vitest";
import { entryBytes, OrderedPutQueue } from "#shared/app/ordered-put-queue.js";
import { ReplayIncompleteError, replayArchive } from "#shared/app/replay-archive.js";
import { PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_ENTRIES } from "#shared/domain/events/put-records-limits.js";
import { DependencyUnavailableError, TailorError } from "#shared/errors.js";
import { archived, FakeRecordStream, InMemoryArchive, objectOf } from "#test/fakes/in-memory-replay.js";

const range = { fromMs: Date.parse("2026-12-06T18:00:00Z"), toMs: Date.parse("2026-12-06T19:00:00Z") };
const text = (data: Uint8Array) => Buffer.from(data).toString("utf8");

/** Records `key-i` bodies for keys k0..k(keys-1), `perKey` each, interleaved as a shard would hold them. */
function interleaved(keys: number, perKey: number) {
  return Array.from({ length: keys * perKey }, (_, i) =>
    archived(`k${i % keys}`, `k${i % keys}-${Math.floor(i / keys)}`),
  );
}

describe("replayArchive: batching", () => {
  it("puts every record of the range once, bytes and partition key untouched, in calls within the API's limits", async () => {
    // GIVEN 1,200 small records over 3 objects and 12 records of 900 KB
    const small = interleaved(600, 2);
    const big = Array.from({ length: 12 }, (_, i) => archived(`big${i}`, "x".repeat(900_000)));
    const archive = new InMemoryArchive([
      objectOf("a", small.slice(0, 500)),
      objectOf("b", small.slice(500)),
      objectOf("c", big),
    ]);
    const stream = new FakeRecordStream();
    // WHEN
    const summary = await replayArchive({ archive, stream }, range);
    // THEN every record is on the stream once
    expect(summary.read).toBe(1212);
    expect(summary.put).toBe(1212);
    expect(stream.accepted.map((e) => `${e.partitionKey}:${text(e.data).slice(0, 12)}`).sort()).toEqual(
      [...small, ...big]
        .map((r) => `${r.partitionKey}:${Buffer.from(r.data, "base64").toString().slice(0, 12)}`)
        .sort(),
    );
    for (const call of stream.calls) {
      expect(call.length).toBeLessThanOrEqual(PUT_RECORDS_MAX_ENTRIES);
      expect(call.reduce((sum, e) => sum + entryBytes(e), 0)).toBeLessThanOrEqual(PUT_RECORDS_MAX_BYTES);
    }
    // 5 MiB holds 5 records of 900 KB: the big ones need at least 3 calls
    expect(
      stream.calls.filter((call) => call.some((e) => e.partitionKey.startsWith("big"))).length,
    ).toBeGreaterThanOrEqual(3);
    expect(archive.asked).toEqual([range]);
  });

  it("streams: puts an object's records before reading far ahead", async () => {
    const objects = Array.from({ length: 5 }, (_, o) =>
      objectOf(
        `o${o}`,
        Array.from({ length: 30 }, (_, i) => archived(`c${i}`, `o${o}-${i}`)),
      ),
    );
    const archive = new InMemoryArchive(objects);
    const readAtCall: number[] = [];
    const stream = new FakeRecordStream((call) => {
      readAtCall[call - 1] ??= archive.handedOut;
      return "ok";
    });
    await replayArchive({ archive, stream }, { ...range, window: 0 });
    // With no look-ahead, object n's records are put before object n+1 is read.
    expect(readAtCall.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("puts only the records of the shards asked for", async () => {
    const records = interleaved(4, 2).map((r, i) => ({ ...r, shardId: `shardId-00${i % 2}` }));
    const stream = new FakeRecordStream();
    const summary = await replayArchive(
      { archive: new InMemoryArchive([objectOf("a", records)]), stream },
      { ...range, shards: new Set(["shardId-001"]) },
    );
    expect(summary).toMatchObject({ read: 4, put: 4, otherShards: 4 });
    expect(stream.accepted.map((e) => text(e.data))).toEqual(
      records.filter((r) => r.shardId === "shardId-001").map((r) => Buffer.from(r.data, "base64").toString()),
    );
  });

  it("counts without putting in a dry run", async () => {
    const archive = new InMemoryArchive([objectOf("a", interleaved(3, 4))]);
    const stream = new FakeRecordStream();
    const summary = await replayArchive({ archive, stream }, { ...range, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, objects: 1, read: 12, put: 0, calls: 0 });
    expect(stream.calls).toEqual([]);
  });
});

describe("replayArchive: order and retries", () => {
  it("keeps each partition key's records in archive order when the stream refuses some", async () => {
    // GIVEN a stream that refuses every record of k1 the first two times it sees it, and every 7th entry once
    const records = interleaved(4, 25);
    const seen = new Map<string, number>();
    const stream = new FakeRecordStream((call, entry) => {
      const body = text(entry.data);
      const times = (seen.get(body) ?? 0) + 1;
      seen.set(body, times);
      if (entry.partitionKey === "k1" && times <= 2)
        return { refuse: "ProvisionedThroughputExceededException" };
      if (call % 7 === 0 && times === 1) return { refuse: "InternalFailure" };
      return "ok";
    });
    // WHEN
    const summary = await replayArchive(
      { archive: new InMemoryArchive([objectOf("a", records)]), stream, sleep: async () => {} },
      { ...range, backoffMs: 10, maxBackoffMs: 40 },
    );
    // THEN everything is put once, each key in order
    expect(summary.put).toBe(100);
    expect(stream.accepted).toHaveLength(100);
    for (let k = 0; k < 4; k++) {
      expect(stream.bodiesOf(`k${k}`)).toEqual(Array.from({ length: 25 }, (_, i) => `k${k}-${i}`));
    }
    expect(summary.retried).toBeGreaterThanOrEqual(50);
    // a call carries at most one record per key
    for (const call of stream.calls) expect(new Set(call.map((e) => e.partitionKey)).size).toBe(call.length);
  });

  it("puts a call again after it failed as a whole for a passing reason, backing off more each time, capped", async () => {
    const stream = new FakeRecordStream(
      () => "ok",
      (call) => (call <= 4 ? new DependencyUnavailableError("throttled") : undefined),
    );
    const sleeps: number[] = [];
    const summary = await replayArchive(
      {
        archive: new InMemoryArchive([objectOf("a", interleaved(3, 1))]),
        stream,
        sleep: async (ms) => void sleeps.push(ms),
      },
      { ...range, backoffMs: 10, maxBackoffMs: 40 },
    );
    expect(summary).toMatchObject({ put: 3, calls: 5, retried: 12 });
    expect(sleeps).toEqual([10, 20, 40, 40]);
    expect(stream.accepted).toHaveLength(3);
  });

  it("stops on a call refused for good (no such stream), and after a record is refused maxAttempts times", async () => {
    const archive = () => new InMemoryArchive([objectOf("a", interleaved(2, 3))]);
    const gone = new TailorError("no such stream", { retryable: false });
    await expect(
      replayArchive({ archive: archive(), stream: new FakeRecordStream(undefined, () => gone) }, range),
    ).rejects.toBe(gone);

    const refusingK0 = new FakeRecordStream((_, entry) =>
      entry.partitionKey === "k0" ? { refuse: "InternalFailure" } : "ok",
    );
    const error = await replayArchive(
      { archive: archive(), stream: refusingK0, sleep: async () => {} },
      { ...range, maxAttempts: 4 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayIncompleteError);
    if (!(error instanceof ReplayIncompleteError)) return;
    expect(error.message).toMatch(/refused 1 record\(s\) 4 times/);
    // k1's records all went; none of k0's, whose first record blocks the others
    expect(error.summary.put).toBe(3);
    expect(refusingK0.bodiesOf("k1")).toEqual(["k1-0", "k1-1", "k1-2"]);
    expect(refusingK0.calls.filter((call) => call.some((e) => e.partitionKey === "k0"))).toHaveLength(4);
  });
});

describe("replayArchive: what it cannot use", () => {
  it("counts and names bad lines, unreadable objects, records outside the range and records too big to put", async () => {
    const tooBig = archived("k", "y".repeat(1024 * 1024));
    const archive = new InMemoryArchive([
      {
        key: "events/a.gz",
        records: [archived("k", "fine"), tooBig],
        outsideRange: 4,
        badLines: [
          { line: 2, reason: "not JSON" },
          { line: 5, reason: "data: Invalid base64" },
        ],
      },
      {
        key: "events/b.gz",
        records: [],
        outsideRange: 0,
        badLines: [],
        unreadable: "corrupt gzip: bad header",
      },
    ]);
    const stream = new FakeRecordStream();
    const summary = await replayArchive({ archive, stream }, range);
    expect(summary).toMatchObject({ objects: 2, read: 2, put: 1, outsideRange: 4, skipped: 1, badLines: 2 });
    expect(summary.badLineList).toEqual([
      { object: "events/a.gz", line: 2, reason: "not JSON" },
      { object: "events/a.gz", line: 5, reason: "data: Invalid base64" },
    ]);
    expect(summary.unreadableObjects).toEqual([
      { object: "events/b.gz", reason: "corrupt gzip: bad header" },
    ]);
    expect(summary.skippedRecords).toEqual([
      expect.objectContaining({ object: "events/a.gz", sequenceNumber: tooBig.sequenceNumber }),
    ]);
    expect(stream.bodiesOf("k")).toEqual(["fine"]);
  });
});

describe("OrderedPutQueue", () => {
  it("hands out the first waiting record of each key, holding a key back whole when its first does not fit", () => {
    const queue = new OrderedPutQueue();
    const entry = (key: string, bytes: number) => ({ partitionKey: key, data: new Uint8Array(bytes) });
    queue.add(entry("a", 1_000_000));
    queue.add(entry("b", 1_000_000));
    queue.add(entry("a", 10));
    queue.add(entry("c", 1_000_000));
    queue.add(entry("d", 1_000_000));
    queue.add(entry("e", 1_000_000));
    queue.add(entry("f", 1_000_000));
    queue.add(entry("f", 10));
    const first = queue.nextCall();
    expect(first.map((q) => q.entry.partitionKey)).toEqual(["a", "b", "c", "d", "e"]);
    expect(queue.settle(first, new Set([1]))).toEqual([expect.objectContaining({ attempts: 1 })]);
    expect(queue.nextCall().map((q) => `${q.entry.partitionKey}${q.entry.data.byteLength}`)).toEqual([
      "b1000000",
      "a10",
      "f1000000",
    ]);
    expect(() => queue.add(entry("g", 1024 * 1024))).toThrow(RangeError);
  });
});
