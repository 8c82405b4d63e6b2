import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startFauxqs } from "fauxqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quarantineDocument, quarantineKey, S3Quarantine } from "#shared/aws/s3-quarantine.js";
import { S3QuarantineErasure } from "#shared/aws/s3-quarantine-erasure.js";
import { identifierHash, indexPrefix } from "#shared/aws/s3-quarantine-index.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import type { QuarantinedRecord } from "#shared/ports.js";
import { kplAggregatedRecord } from "../support/kpl-record.js";

/**
 * The quarantine's index against S3 (fauxqs): every record holding a customer's id or email is found and
 * deleted by erasure whatever its key, and another customer's records stay.
 */

const T0 = Date.UTC(2026, 10, 23, 12);
/** The customer erased; the profile's email is given as the erase use case reads it (mixed case). */
const ADA = "c-ada-71";
const ADA_EMAIL = "Ada.Lovelace@Example.com";
/** A bystander. */
const BOB = "c-bob-42";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
let s3: S3Client;
let buckets = 0;
let bucketName: string;
let sequence = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  s3 = new S3Client({
    region: "us-east-1",
    credentials,
    endpoint: `http://127.0.0.1:${fauxqs.port}`,
    forcePathStyle: true,
  });
});

afterAll(async () => {
  s3?.destroy();
  await fauxqs?.stop();
});

beforeEach(async () => {
  bucketName = `quarantine-${++buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
});

function record(partitionKey: string, raw: Uint8Array): QuarantinedRecord {
  return {
    reason: "invalid event",
    issues: [],
    source: "kinesis",
    shardId: "shardId-000000000000",
    sequenceNumber: String(4960000 + ++sequence),
    partitionKey,
    approximateArrivalTimestamp: T0 + sequence,
    raw,
    receivedAt: T0 + sequence + 5,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");

/** The five shapes that name Ada under a key that is not hers, or only by email. */
function adaShapes() {
  return {
    // 1. Keyed by Bob; the event (an alias) names Ada, not at the top-level userId.
    keyedByAnother: record(BOB, json({ type: "alias", userId: BOB, previousId: ADA, timestamp: "nope" })),
    // 2. A batch of several customers' events under one key.
    batch: record(
      "batch-7",
      json({
        batch: [
          { type: "track", userId: BOB, event: "Product Viewed" },
          { type: "track", userId: ADA, event: "Order Completed", timestamp: "yesterday" },
        ],
      }),
    ),
    // 3. Anonymous, naming Ada only by the email in traits.
    emailInTraits: record(
      "anon-3f9",
      json({ type: "identify", anonymousId: "anon-3f9", traits: { email: "ada.lovelace@example.com" } }),
    ),
    // 4. Not UTF-8 (a Latin-1 "é"), holding the email.
    notUtf8: record(
      "anon-77e",
      Buffer.from(
        '{"type":"identify","traits":{"name":"Renée","email":"ADA.LOVELACE@example.com"}}',
        "latin1",
      ),
    ),
    // 5. KPL-aggregated: Bob's and Ada's events in one record, keyed by Bob (the first sub-record's key).
    kpl: record(
      BOB,
      kplAggregatedRecord([
        { partitionKey: BOB, data: JSON.stringify({ type: "track", userId: BOB }) },
        { partitionKey: ADA, data: JSON.stringify({ type: "track", userId: ADA, event: 7 }) },
      ]),
    ),
  };
}

/** Bob's own records: they must survive Ada's erasure. */
function bobShapes(): QuarantinedRecord[] {
  return [
    record(
      BOB,
      json({ type: "identify", userId: BOB, traits: { email: "bob@example.com" }, timestamp: "?" }),
    ),
    record(
      "anon-b0b",
      json({ type: "identify", anonymousId: "anon-b0b", traits: { email: "bob@example.com" } }),
    ),
  ];
}

async function keys(prefix = ""): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix }));
  return (out.Contents ?? []).flatMap(({ Key }) => (Key === undefined ? [] : [Key]));
}

async function text(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
  return (await out.Body?.transformToString("utf-8")) ?? "";
}

describe("S3QuarantineErasure with the index", () => {
  it("finds and deletes every record holding the customer's id or email, whatever its key", async () => {
    // Prepare
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    const ada = adaShapes();
    const bob = bobShapes();
    for (const one of [...Object.values(ada), ...bob]) await quarantine.put(one);

    // Act
    const listed = await erasure.list(ADA, [ADA_EMAIL]);
    const erased = await erasure.erase(ADA, [ADA_EMAIL]);

    // Assess
    const adaKeys = Object.values(ada).map(quarantineKey).sort();
    expect(listed.map((m) => m.key).sort()).toEqual(adaKeys);
    expect(listed.find((m) => m.key === quarantineKey(ada.kpl))).toMatchObject({
      partitionKey: BOB,
      reason: "invalid event",
    });
    expect(erased).toBe(5);
    expect((await keys("quarantine/")).sort()).toEqual(bob.map(quarantineKey).sort());
    // No index entry of Ada's is left, and Bob's point only at his own records (not at the deleted ones).
    for (const id of [ADA, ADA_EMAIL.toLowerCase()])
      expect(await keys(indexPrefix(identifierHash(id)))).toEqual([]);
    const bobIndex = await keys(indexPrefix(identifierHash(BOB)));
    expect(bobIndex.map((key) => key.slice(indexPrefix(identifierHash(BOB)).length))).toEqual([
      quarantineKey(bob[0] ?? record("x", json({}))),
    ]);
    expect((await keys()).some((key) => key.includes(quarantineKey(ada.batch)))).toBe(false);
    // Idempotent, and Bob is still found whole.
    expect(await erasure.erase(ADA, [ADA_EMAIL])).toBe(0);
    expect((await erasure.list(BOB, ["bob@example.com"])).map((m) => m.key).sort()).toEqual(
      bob.map(quarantineKey).sort(),
    );
  });

  it("finds each shape alone, by the id or by the email it holds", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    for (const [shape, one] of Object.entries(adaShapes())) {
      await quarantine.put(one);
      const found = await erasure.list(ADA, [ADA_EMAIL]);
      expect({ shape, keys: found.map((m) => m.key) }).toEqual({ shape, keys: [quarantineKey(one)] });
      expect(await erasure.erase(ADA, [ADA_EMAIL])).toBe(1);
      expect(await keys("quarantine/")).toEqual([]);
    }
  });

  it("needs the email for a record naming the customer only by email", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    const { emailInTraits } = adaShapes();
    await quarantine.put(emailInTraits);

    expect(await erasure.list(ADA, [])).toEqual([]);
    expect(await erasure.erase(ADA, [ADA_EMAIL])).toBe(1);
  });

  it("finds a customer whose id is an email address where the address appears in another case", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    const one = record("anon-5e1", json({ anonymousId: "anon-5e1", traits: { email: "mia@example.com" } }));
    await quarantine.put(one);

    expect((await erasure.list("Mia@Example.com", [])).map((m) => m.key)).toEqual([quarantineKey(one)]);
  });

  it("never writes an identifier into a key", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    for (const one of Object.values(adaShapes())) await quarantine.put(one);

    const all = await keys();

    expect(all.filter((key) => key.startsWith("index/")).length).toBeGreaterThan(5);
    for (const needle of [ADA, "ada.lovelace", BOB, "anon-3f9"]) {
      expect(all.filter((key) => key.toLowerCase().includes(needle))).toEqual([]);
    }
  });

  it("still finds records quarantined before the index existed, by reading them", async () => {
    // Prepare: written as the previous writer did, with no index entry and no marker.
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    const { batch, emailInTraits } = adaShapes();
    const bob = bobShapes();
    const legacy = [batch, emailInTraits, ...bob];
    for (const one of legacy) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucketName, Key: quarantineKey(one), Body: quarantineDocument(one) }),
      );
    }

    // Act
    const erased = await erasure.erase(ADA, [ADA_EMAIL]);

    // Assess
    expect(erased).toBe(2);
    expect((await keys("quarantine/")).sort()).toEqual(bob.map(quarantineKey).sort());
  });

  it("erases index entries left by a record already gone (an interrupted erasure)", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const erasure = new S3QuarantineErasure({ client: s3, bucketName });
    const { batch } = adaShapes();
    await quarantine.put(batch);
    await s3.send(new DeleteObjectCommand({ Bucket: bucketName, Key: quarantineKey(batch) }));

    expect(await erasure.erase(ADA, [])).toBe(0);
    expect(await keys(indexPrefix(identifierHash(ADA)))).toEqual([]);
  });
});

describe("S3Quarantine writes the index before the record", () => {
  it("stores the record with the hashes it is indexed under, and a marker", async () => {
    const quarantine = new S3Quarantine({ client: s3, bucketName });
    const { kpl } = adaShapes();

    await quarantine.put(kpl);

    const key = quarantineKey(kpl);
    const document: unknown = JSON.parse(await text(key));
    expect(document).toMatchObject({
      partitionKey: BOB,
      index: expect.arrayContaining([identifierHash(ADA), identifierHash(BOB)]),
    });
    expect(await keys(`indexed/${key}`)).toEqual([`indexed/${key}`]);
  });

  it("fails (retryably) without storing the record when an index entry cannot be written", async () => {
    // Prepare: a client whose writes to index/ fail, as a throttled or unreachable S3 would.
    const failing = new S3Client({
      region: "us-east-1",
      credentials,
      endpoint: `http://127.0.0.1:${fauxqs.port}`,
      forcePathStyle: true,
    });
    failing.middlewareStack.add(
      (next) => async (args) => {
        const key: unknown = Reflect.get(Object(args.input), "Key");
        if (typeof key === "string" && key.startsWith("index/")) throw new Error("SlowDown");
        return next(args);
      },
      { step: "initialize" },
    );
    const quarantine = new S3Quarantine({ client: failing, bucketName });

    // Act
    const put = quarantine.put(adaShapes().batch);

    // Assess
    await expect(put).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(put).rejects.toMatchObject({ retryable: true });
    expect(await keys("quarantine/")).toEqual([]);
    failing.destroy();
  });
});
