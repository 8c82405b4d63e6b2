import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCommand } from "#cli/audit-command.js";
import { explainCommand } from "#cli/explain-command.js";
import { exportCommand } from "#cli/export-command.js";
import { previewCommand } from "#cli/preview-command.js";
import { profileCommand } from "#cli/profile-command.js";
import { quarantineCommand } from "#cli/quarantine-command.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { TIMERS_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-timers.js";
import { profileKey } from "#shared/aws/profile-key.js";
import { S3Quarantine } from "#shared/aws/s3-quarantine.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { tempDir } from "#test/local/helpers.js";
import { captureOutput } from "#test/support/capture-output.js";

const template: unknown = JSON.parse(
  readFileSync(new URL("../local/fixtures/template.json", import.meta.url), "utf8"),
);
const data = tempDir("tailor-cli-");
const root = path.resolve(new URL("../..", import.meta.url).pathname);
let stack: LocalStack | undefined;

const profile = {
  customerId: "cli-ada",
  version: 3,
  email: "ada@example.com",
  counters: { views: 12, orders: 2 },
  recentCategories: ["books", "garden"],
};

/** A profile item with the store's short keys and a binary attribute. */
const shortKeys = {
  customerId: "cli-short",
  version: 1,
  t: { email: "short@example.com" },
  o: { n: 2 },
  blob: new Uint8Array([1, 2, 3, 4]),
};

/** The tables of the full template that the fixture's template leaves out (the privacy commands read them). */
const extraTables = [
  { TableName: "tailor-audit", keys: ["pk", "sk"] },
  { TableName: "tailor-send-ledger", keys: ["customerId", "sk"] },
  { TableName: "tailor-timers", keys: ["b", "k"] },
  { TableName: "tailor-segments", keys: ["pk", "sk"] },
] as const;

/** The timers table's customer index and its key's definition, added to the table's own. */
const timersIndex = {
  AttributeDefinitions: ["b", "k", "customerId"].map((AttributeName) => ({
    AttributeName,
    AttributeType: "S" as const,
  })),
  GlobalSecondaryIndexes: [
    {
      IndexName: TIMERS_BY_CUSTOMER_INDEX,
      KeySchema: [
        { AttributeName: "customerId", KeyType: "HASH" as const },
        { AttributeName: "k", KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    },
  ],
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
  const dynamodb = new DynamoDBClient({});
  for (const item of [profile, shortKeys]) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: "tailor-profiles",
        Item: { ...marshall(item), pk: { S: profileKey(item.customerId) } },
      }),
    );
  }
  for (const { TableName, keys } of extraTables) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: keys[0], KeyType: "HASH" },
          { AttributeName: keys[1], KeyType: "RANGE" },
        ],
        // Erasure finds a customer's timers by the timers table's customer index, as the stack declares it.
        ...(TableName === "tailor-timers" ? timersIndex : {}),
      }),
    );
  }
  const now = Date.now();
  await new DynamoAuditLog({ client: dynamodb, tableName: "tailor-audit" }).append(
    [1, 2, 3].map((n) => ({
      id: `consent.changed#cli-ada#${n}`,
      at: now - n * 60_000,
      action: "consent.changed",
      actor: "test",
      customerHash: customerHash("cli-ada"),
      details: { purpose: "marketing", granted: n % 2 === 0 },
    })),
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

describe("tailor profile and tailor quarantine", () => {
  it("read from the running stack of the data dir", async () => {
    const json = await captureOutput(() => profileCommand(["cli-ada", "--json", "--data-dir", data.dir]));
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(profile);

    const missing = await captureOutput(() => profileCommand(["nobody", "--data-dir", data.dir]));
    expect(missing).toMatchObject({
      code: 1,
      out: "",
      err: "tailor profile: no profile for nobody — check the id (erased customers have none)\n",
    });
  });

  it("profile --json names the stored fields as the export does; --raw shows the item as stored", async () => {
    const readable = await captureOutput(() =>
      profileCommand(["cli-short", "--json", "--data-dir", data.dir]),
    );
    expect(readable.code).toBe(0);
    expect(JSON.parse(readable.out)).toEqual({
      customerId: "cli-short",
      version: 1,
      traits: { email: "short@example.com" },
      orders: { n: 2 },
      blob: "<4 bytes of binary: see --raw>",
    });

    const raw = await captureOutput(() => profileCommand(["cli-short", "--raw", "--data-dir", data.dir]));
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.out)).toEqual({ ...shortKeys, blob: "AQIDBA==" });

    await expect(profileCommand(["cli-short", "--json", "--raw", "--data-dir", data.dir])).rejects.toThrow(
      /^usage: tailor profile/,
    );
  });

  it("say on stderr, exit 1 and write nothing when they find nothing", async () => {
    const exported = await captureOutput(() => exportCommand(["nobody", "--data-dir", data.dir]));
    expect(exported).toEqual({
      code: 1,
      out: "",
      err: "tailor export: Tailor holds nothing for nobody: nothing exported — check the id\n",
    });
    // No audit entry of an export that did not happen.
    const audited = await captureOutput(() => auditCommand(["--customer", "nobody", "--data-dir", data.dir]));
    expect(audited.code).toBe(1);
    expect(audited.out).toBe("");
    expect(audited.err).toMatch(/^tailor audit: no audit entries for nobody in .* — widen the range/);

    const explained = await captureOutput(() => explainCommand(["nobody", "--data-dir", data.dir]));
    expect(explained).toMatchObject({ code: 1, out: "" });
    expect(explained.err).toBe(
      "tailor explain: no profile for nobody — check the id (erased customers have none)\n",
    );
  });

  it("audit says when it stopped at its limit, and how to see more", async () => {
    const limited = await captureOutput(() => auditCommand(["--limit", "2", "--data-dir", data.dir]));
    expect(limited.code).toBe(0);
    expect(limited.out.trimEnd().split("\n")).toHaveLength(3);
    expect(limited.out).toMatch(/2 audit entries in /);
    expect(limited.err).toMatch(
      /^tailor audit: stopped at --limit 2; there are more — see more with --limit N \(up to 1000\) or older ones with --until \d{4}-/m,
    );

    const all = await captureOutput(() =>
      auditCommand(["--customer", "cli-ada", "--json", "--data-dir", data.dir]),
    );
    expect(all).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(all.out)).toHaveLength(3);
  });

  it("preview --variant of a variant no template has refuses before writing, naming the variants", async () => {
    const out = tempDir("tailor-cli-preview-");
    try {
      const refused = await captureOutput(() =>
        previewCommand(["--all", "--variant", "z", "--out", out.dir]),
      );
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^tailor preview: no variant "z" in any template — variants: a\b.*\n$/);
      expect(readdirSync(out.dir)).toEqual([]);
    } finally {
      out.remove();
    }
  }, 60_000);

  it("preview --all shows pictures that load offline: every <img> names a picture written next to the previews", async () => {
    const out = tempDir("tailor-cli-preview-");
    try {
      const run = await captureOutput(() => previewCommand(["--all", "post-purchase", "--out", out.dir]));
      expect(run.code).toBe(0);
      const pages = readdirSync(path.join(out.dir, "post-purchase")).filter((file) => file.endsWith(".html"));
      expect(pages.length).toBeGreaterThan(3);
      const sources = pages.flatMap((page) =>
        [
          ...readFileSync(path.join(out.dir, "post-purchase", page), "utf8").matchAll(
            /<img[^>]+src="([^"]+)"/g,
          ),
        ].map((match) => match[1] ?? ""),
      );
      // Logo, hero banner, recommendations and the order's lines.
      expect(sources.length).toBeGreaterThan(pages.length * 3);
      for (const source of sources) {
        expect(source.startsWith("file://")).toBe(true);
        expect(existsSync(fileURLToPath(source))).toBe(true);
      }
    } finally {
      out.remove();
    }
  }, 60_000);

  it("open the persisted data dir themselves when no stack runs", async () => {
    await stack?.stop();
    stack = undefined;

    const pretty = await captureOutput(() => profileCommand(["cli-ada", "--data-dir", data.dir]));
    expect(pretty.code).toBe(0);
    expect(pretty.out.split("\n")).toEqual([
      "cli-ada  (version 3)",
      "  counters          views=12, orders=2",
      "  email             ada@example.com",
      "  recentCategories  [books, garden]",
      "",
    ]);

    const listed = await captureOutput(() => quarantineCommand(["--data-dir", data.dir]));
    expect(listed.code).toBe(0);
    expect(listed.out).toContain("shardId-000000000000/4960001  key cli-bob");
    expect(listed.out).toContain('reason: properties.price: expected a number ≥ 0 (got "abc")');
    expect(listed.out).toContain('raw:    {"type":"track","price":"abc"\\x07');
    expect(listed.out).toContain("1 quarantined record in s3://tailor-quarantine");
  });

  it("run through the npx launcher (bin/tailor.mjs, compiled ahead)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["bin/tailor.mjs", "quarantine", "--json", "--data-dir", data.dir],
      { cwd: root },
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

/** Runs `node bin/tailor.mjs …` and returns its exit code and output. */
async function launch(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/tailor.mjs", ...args], { cwd: root }, (error, out, err) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, out, err });
    });
  });
}

describe("the tailor launcher", () => {
  it("prints the usage for --help and exits 0, without loading a command (no package reachable statically)", async () => {
    const help = await launch(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: tailor <command> \[options\]/);
    expect(help.err).toBe("");

    // The compiled entry and what it imports statically: Node's own modules only (commands load on demand).
    const stamp: unknown = JSON.parse(readFileSync(path.join(root, ".tailor/cli/current.json"), "utf8"));
    const dir = typeof stamp === "object" && stamp !== null && "dir" in stamp ? String(stamp.dir) : "";
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, "utf8");
      for (const [, specifier = ""] of code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm)) {
        if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier));
        else packages.add(specifier);
      }
      for (const [, specifier = ""] of code.matchAll(/^import\s*"([^"]+)"/gm)) {
        if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier));
        else packages.add(specifier);
      }
    };
    const entry = path.join(root, ".tailor/cli", dir, "tailor.js");
    expect(existsSync(entry)).toBe(true);
    visit(entry);
    expect([...packages].filter((name) => !name.startsWith("node:"))).toEqual([]);
  }, 30_000);

  it("answers a usage error, an unknown command and a missing file with one line and exit 1", async () => {
    const [usage, unknown, flag, csv] = await Promise.all([
      launch(["profile"]),
      launch(["profle"]),
      launch(["audit", "--limt", "3"]),
      launch(["segments", "import", "vip", "no-such.csv", "--data-dir", data.dir]),
    ]);
    expect(usage).toEqual({
      code: 1,
      out: "",
      err: "tailor profile: usage: tailor profile <customerId> [--json | --raw] [--data-dir D] — see npx tailor --help\n",
    });

    expect(unknown).toEqual({
      code: 1,
      out: "",
      err: 'tailor: unknown command "profle" — see npx tailor --help\n',
    });

    expect(flag).toEqual({
      code: 1,
      out: "",
      err: "tailor audit: Unknown option '--limt' — see npx tailor --help\n",
    });

    expect(csv).toEqual({
      code: 1,
      out: "",
      err: `tailor segments: no such file or folder: no-such.csv — check the path (relative paths start in the current folder)\n`,
    });
  }, 30_000);
});
