import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { profileCommand } from "../../infra/local/cli/profile-command.js";
import { quarantineCommand } from "../../infra/local/cli/quarantine-command.js";
import { type LocalStack, startLocalStack } from "../../infra/local/local-stack.js";
import { profileKey } from "../../shared/aws/profile-key.js";
import { S3Quarantine } from "../../shared/aws/s3-quarantine.js";
import { tempDir } from "./helpers.js";

const template: unknown = JSON.parse(
  readFileSync(new URL("./fixtures/template.json", import.meta.url), "utf8"),
);
const data = tempDir("tailor-cli-");
let stack: LocalStack | undefined;

const profile = {
  customerId: "cli-ada",
  version: 3,
  email: "ada@example.com",
  counters: { views: 12, orders: 2 },
  recentCategories: ["books", "garden"],
};

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir: data.dir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
    template,
    pollers: false,
    log: () => {},
  });
  await new DynamoDBClient({}).send(
    new PutItemCommand({
      TableName: "tailor-profiles",
      Item: { ...marshall(profile), pk: { S: profileKey(profile.customerId) } },
    }),
  );
  await new S3Quarantine({ client: new S3Client({}), bucketName: "tailor-quarantine" }).put({
    reason: 'properties.price: expected a number ≥ 0 (got "abc")',
    issues: [{ path: "properties.price", rule: "number", message: "expected a number" }],
    source: "kinesis",
    shardId: "shardId-000000000000",
    sequenceNumber: "4960001",
    partitionKey: "cli-bob",
    approximateArrivalTimestamp: Date.UTC(2026, 10, 23, 10, 0),
    raw: new TextEncoder().encode('{"type":"track","price":"abc"\u0007'),
    receivedAt: Date.UTC(2026, 10, 23, 10, 0, 1),
  });
});

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

/** Runs a command in-process and returns its exit code and output. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe("tailor profile and tailor quarantine", () => {
  it("read from the running stack of the data dir", async () => {
    const json = await capture(() => profileCommand(["cli-ada", "--json", "--data-dir", data.dir]));
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(profile);

    const missing = await capture(() => profileCommand(["nobody", "--data-dir", data.dir]));
    expect(missing).toMatchObject({ code: 1, err: "no profile for nobody\n" });
  });

  it("open the persisted data dir themselves when no stack runs", async () => {
    await stack?.stop();
    stack = undefined;

    const pretty = await capture(() => profileCommand(["cli-ada", "--data-dir", data.dir]));
    expect(pretty.code).toBe(0);
    expect(pretty.out.split("\n")).toEqual([
      "cli-ada  (version 3)",
      "  counters          views=12, orders=2",
      "  email             ada@example.com",
      "  recentCategories  [books, garden]",
      "",
    ]);

    const listed = await capture(() => quarantineCommand(["--data-dir", data.dir]));
    expect(listed.code).toBe(0);
    expect(listed.out).toContain("shardId-000000000000/4960001  key cli-bob");
    expect(listed.out).toContain('reason: properties.price: expected a number ≥ 0 (got "abc")');
    expect(listed.out).toContain('raw:    {"type":"track","price":"abc"\\x07');
    expect(listed.out).toContain("1 quarantined record in s3://tailor-quarantine");
  });

  it("run through the npx launcher (bin/tailor.mjs → tsx bin/tailor.ts)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["bin/tailor.mjs", "quarantine", "--json", "--data-dir", data.dir],
      { cwd: new URL("../..", import.meta.url) },
    );
    const [record] = JSON.parse(stdout);
    expect(record).toMatchObject({
      partitionKey: "cli-bob",
      sequenceNumber: "4960001",
      key: "quarantine/2026/11/23/shardId-000000000000/4960001.json",
    });
    expect(Buffer.from(record.rawBase64, "base64").toString("utf8")).toBe(
      '{"type":"track","price":"abc"\u0007',
    );
  });
});
