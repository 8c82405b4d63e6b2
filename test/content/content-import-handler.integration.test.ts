import { gzipSync } from "node:zlib";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import type { ContentObjectImport } from "#shared/app/content/import-content-object.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import type { ContentItem } from "#shared/domain/catalog/index.js";
import { createTable } from "#test/support/dynamo-table.js";
import { lambdaContext } from "#test/support/lambda-context.js";
import { tempDir } from "../local/helpers.js";

/**
 * The content-import function's handler on the emulators (dynalite, fauxqs S3), wired by its composition root as
 * deployed: an object created under `content/` of the feed bucket replaces the content library, with the bad rows
 * reported and the items that left the file retired.
 */

const BUCKET = "tailor-catalog-feeds";
const TABLE = "tailor-content";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const data = tempDir("tailor-content-import-");
const saved = { ...process.env };

let emulators: Emulators;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let library: DynamoContentLibrary;
let handler: (event: S3Event, context: Context) => Promise<ContentObjectImport[]>;

const item = (id: string, tags: readonly string[]): ContentItem => ({
  id,
  kind: "tip",
  title: `Tip ${id}`,
  summary: `About ${tags.join(" and ")}`,
  url: `https://shop.example.com/journal/${id}`,
  tags,
});

const context = lambdaContext("tailor-content-import", "it-content-import", 300_000);

/** The S3 event of an object created at `key`, its key URL-encoded as S3 sends it (spaces as '+'). */
function created(key: string): S3Event {
  const encoded = encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "local" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "local", "x-amz-id-2": "local" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "content",
          bucket: { name: BUCKET, ownerIdentity: { principalId: "local" }, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key: encoded, size: 1, eTag: "local", sequencer: "1" },
        },
      },
    ],
  };
}

async function drop(key: string, body: string | Uint8Array): Promise<ContentObjectImport[]> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return handler(created(key), context);
}

const liveIds = async () => (await library.all()).map((entry) => entry.id).sort();

beforeAll(async () => {
  const ports = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 };
  emulators = await startEmulators({ dataDir: data.dir, fresh: true, ports, setEnv: false });
  const { endpoints } = emulators;
  s3 = new S3Client({ region: "us-east-1", credentials, endpoint: endpoints.s3, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  dynamodb = new DynamoDBClient({ region: "us-east-1", credentials, endpoint: endpoints.dynamodb });
  await createTable(dynamodb, TABLE, "pk", "sk");
  library = new DynamoContentLibrary({ client: dynamodb, tableName: TABLE });
  // The composition root builds its clients with `new XClient({})`: point them at the emulators.
  Object.assign(process.env, emulators.env, {
    CONTENT_TABLE: TABLE,
    FEED_BUCKET: BUCKET,
    POWERTOOLS_SERVICE_NAME: "content-import",
    POWERTOOLS_METRICS_NAMESPACE: "Tailor",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  ({ handler } = await import("#functions/content-import/handler.js"));
}, 60_000);

afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  dynamodb?.destroy();
  await emulators?.stop();
  data.remove();
});

describe("content-import handler (S3 object under content/ → content table)", () => {
  it("imports a gzipped JSON Lines file: valid rows written, the bad row named, items that left the file retired", async () => {
    // Prepare: a library with an item the file no longer holds.
    await library.put([item("old-tip", ["garden"])], Date.UTC(2026, 10, 1));
    const lines = [
      JSON.stringify(item("pet-1", ["pets"])),
      JSON.stringify(item("pet-2", ["pets", "outdoor"])),
      JSON.stringify({ ...item("broken", ["pets"]), kind: "video" }),
      JSON.stringify(item("kitchen-1", ["kitchen"])),
    ];
    // Act
    const [result] = await drop("content/journal.jsonl.gz", gzipSync(lines.join("\n")));
    // Assess
    expect(result?.format).toBe("jsonl");
    expect(result?.report).toMatchObject({ rows: 4, written: 3, unchanged: 0, retired: ["old-tip"] });
    expect(result?.report.errors).toEqual([
      { line: 3, id: "broken", problems: [expect.stringMatching(/^kind: /)] },
    ]);
    expect(await liveIds()).toEqual(["kitchen-1", "pet-1", "pet-2"]);
    expect((await library.all()).find((entry) => entry.id === "pet-2")).toEqual(
      item("pet-2", ["pets", "outdoor"]),
    );
  });

  it("reads a CSV file by its name (a key with a space) and writes nothing for rows already there", async () => {
    const csv = [
      "id,kind,title,summary,url,tags",
      "pet-1,tip,Tip pet-1,About pets,https://shop.example.com/journal/pet-1,pets",
      "kitchen-1,guide,Kitchen guide,Knives and pans,https://shop.example.com/journal/kitchen-1,kitchen|cooking",
    ].join("\n");
    const [result] = await drop("content/spring library.csv", csv);
    expect(result).toMatchObject({ key: "content/spring library.csv", format: "csv" });
    expect(result?.report).toMatchObject({
      rows: 2,
      written: 1,
      unchanged: 1,
      retired: ["pet-2"],
      errors: [],
    });
    const kitchen = (await library.all()).find((entry) => entry.id === "kitchen-1");
    expect(kitchen).toMatchObject({ kind: "guide", tags: ["kitchen", "cooking"] });
    expect(await liveIds()).toEqual(["kitchen-1", "pet-1"]);
  });

  it("fails an object whose name is no content format, and leaves the library as it was", async () => {
    const before = await liveIds();
    await expect(drop("content/library.pdf", "%PDF")).rejects.toThrow(/must end in \.json, \.jsonl/);
    expect(await liveIds()).toEqual(before);
  });
});
