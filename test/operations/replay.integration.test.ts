import { gzipSync } from "node:zlib";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import { replayArchive } from "#shared/app/replay-archive.js";
import { KinesisRecordStream } from "#shared/aws/kinesis-record-stream.js";
import { S3EventArchive } from "#shared/aws/s3-event-archive.js";
import {
  type ArchivedRecord,
  archiveHourPrefix,
  archiveLine,
} from "#shared/domain/events/archived-record.js";
import { createStream, tempDir, testClients } from "#test/local/helpers.js";

const bucket = "tailor-archive";
const streamName = "tailor-events";
const HOUR = 3_600_000;
const from = Date.parse("2026-12-06T10:15:00Z");
const to = Date.parse("2026-12-06T12:45:00Z");

let sequence = 0;
function record(key: string, body: Uint8Array | string, arrivedMs: number, sub?: number): ArchivedRecord {
  sequence++;
  return {
    v: 1,
    shardId: "shardId-000000000000",
    partitionKey: key,
    sequenceNumber: String(49_600_000_000 + sequence),
    ...(sub === undefined ? {} : { subsequenceNumber: sub }),
    arrivedAt: new Date(arrivedMs).toISOString(),
    data: Buffer.from(body).toString("base64"),
  };
}

let emulators: Emulators;
let s3: S3Client;
let kinesis: KinesisClient;
let removeDir: () => void;

async function putObject(key: string, body: Uint8Array | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

const gz = (records: readonly ArchivedRecord[], extra = "") =>
  gzipSync(records.map((r) => archiveLine(r)).join("") + extra);

async function readStream(): Promise<{ key: string; data: Buffer }[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out: { key: string; data: Buffer }[] = [];
  for (const shard of shards.Shards ?? []) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    let iterator = ShardIterator;
    for (let page = 0; iterator !== undefined && page < 50; page++) {
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = got.Records ?? [];
      out.push(...records.map((r) => ({ key: r.PartitionKey ?? "", data: Buffer.from(r.Data ?? []) })));
      if (records.length === 0) break;
      iterator = got.NextShardIterator;
    }
  }
  return out;
}

beforeAll(async () => {
  const data = tempDir("tailor-replay-");
  removeDir = data.remove;
  emulators = await startEmulators({
    dataDir: data.dir,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
    setEnv: false,
  });
  ({ kinesis } = testClients(emulators.endpoints));
  s3 = new S3Client({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createStream(kinesis, streamName, 2);
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  kinesis?.destroy();
  await emulators?.stop();
  removeDir?.();
});

describe("tailor replay against the emulators (fauxqs S3, kinesalite)", () => {
  it("puts back every record that arrived in the range, bytes and keys untouched, and names what it cannot read", async () => {
    // GIVEN objects in the line format under the hour prefixes: the range's hours, the hours either side
    // (holding records inside and outside the range), an hour far away, a corrupt object and bad lines
    const gzipBody = gzipSync('{"type":"track","userId":"c-2","event":"Newsletter Opened"}');
    const inRange = [
      record("c-1", '{"n":1}', from),
      record("c-2", gzipBody, from + 60_000),
      record("c-1", '{"n":2}', from + 30 * 60_000, 0),
      record("c-1", '{"n":3}', from + 30 * 60_000, 1),
      ...Array.from({ length: 40 }, (_, i) =>
        record(`c-${3 + (i % 9)}`, `{"i":${i}}`, from + HOUR + i * 1000),
      ),
    ];
    const last = record("c-1", '{"n":4}', to);
    inRange.push(last);
    const before = record("c-1", '{"early":true}', from - 1);
    const after = record("c-1", '{"late":true}', to + 1);
    const far = record("c-1", '{"far":true}', from - 5 * HOUR);
    await putObject(`${archiveHourPrefix(from - HOUR)}tailor-archive-1-2026-12-06-09-59-00-a`, gz([before]));
    // Several objects in one hour: the reader lists them page by page (2 keys a page here)
    await putObject(
      `${archiveHourPrefix(from)}tailor-archive-1-2026-12-06-10-20-00-a`,
      gz(inRange.slice(0, 2)),
    );
    await putObject(
      `${archiveHourPrefix(from)}tailor-archive-1-2026-12-06-10-50-00-b`,
      gz(inRange.slice(2, 4), "{broken\n"),
    );
    await putObject(
      `${archiveHourPrefix(from)}tailor-archive-1-2026-12-06-10-59-00-c`,
      "not gzip and not lines",
    );
    await putObject(
      `${archiveHourPrefix(from)}tailor-archive-1-2026-12-06-10-59-30-d`,
      Buffer.from([0x1f, 0x8b, 1, 2, 3]),
    );
    await putObject(
      `${archiveHourPrefix(from + HOUR)}tailor-archive-1-2026-12-06-11-10-00-a`,
      gz(inRange.slice(4, 44)),
    );
    // Delivered in the hour after the range's last, holding its last record and one after it
    await putObject(
      `${archiveHourPrefix(to + HOUR)}tailor-archive-1-2026-12-06-13-01-00-a`,
      gz([last, after]),
    );
    await putObject(`${archiveHourPrefix(from - 5 * HOUR)}x.gz`, gz([far]));

    const archive = new S3EventArchive({ client: s3, bucketName: bucket, listPageSize: 2 });
    const stream = new KinesisRecordStream({ client: kinesis, streamName });

    // WHEN a dry run, then the replay
    const dry = await replayArchive({ archive, stream }, { fromMs: from, toMs: to, dryRun: true });
    expect((await readStream()).length).toBe(0);
    const summary = await replayArchive({ archive, stream }, { fromMs: from, toMs: to });

    // THEN the records of the range are on the stream, once each, each key in archive order
    expect(dry).toMatchObject({ read: inRange.length, put: 0 });
    expect(summary).toMatchObject({ objects: 7, read: inRange.length, put: inRange.length, outsideRange: 2 });
    const onStream = await readStream();
    expect(onStream).toHaveLength(inRange.length);
    const expectedOf = (key: string) =>
      inRange.filter((r) => r.partitionKey === key).map((r) => Buffer.from(r.data, "base64").toString("hex"));
    for (const key of new Set(inRange.map((r) => r.partitionKey))) {
      expect(onStream.filter((r) => r.key === key).map((r) => r.data.toString("hex"))).toEqual(
        expectedOf(key),
      );
    }
    // AND the lines and objects it could not read are named
    expect(summary.badLines).toBe(2);
    expect(summary.badLineList).toEqual([
      expect.objectContaining({ object: expect.stringMatching(/-b$/), line: 3, reason: "not JSON" }),
      expect.objectContaining({ object: expect.stringMatching(/-c$/), line: 1, reason: "not JSON" }),
    ]);
    expect(summary.unreadableObjects).toEqual([
      { object: expect.stringMatching(/-d$/), reason: expect.stringMatching(/^corrupt gzip/) },
    ]);
  }, 60_000);

  it("reports an object over the bound, or inflating past it, as unreadable instead of reading it", async () => {
    const hour = Date.parse("2026-12-07T03:00:00Z");
    const fits = record("c-9", '{"ok":1}', hour + 1000);
    // 2 MB of one repeated line compresses to a few KB: a small object that inflates far past the bound
    const bomb = gzipSync(archiveLine(fits).repeat(20_000));
    await putObject(`${archiveHourPrefix(hour)}a-small`, gz([fits]));
    await putObject(`${archiveHourPrefix(hour)}b-bomb`, bomb);
    await putObject(`${archiveHourPrefix(hour)}c-large`, Buffer.alloc(bomb.byteLength * 2 + 100_000, 0x20));
    const archive = new S3EventArchive({ client: s3, bucketName: bucket, maxObjectBytes: 100_000 });
    const read = [];
    for await (const object of archive.objects(hour, hour + HOUR - 1)) read.push(object);
    expect(read.map((o) => [o.key.split("/").at(-1), o.records.length, o.unreadable])).toEqual([
      ["a-small", 1, undefined],
      ["b-bomb", 0, "inflates beyond 100000 bytes"],
      ["c-large", 0, expect.stringMatching(/^\d+ bytes; the bound is 100000$/)],
    ]);
  });
});
