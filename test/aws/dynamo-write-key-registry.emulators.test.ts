import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keysCommand } from "#cli/keys-command.js";
import { DynamoWriteKeyRegistry, WriteKeyExistsError } from "#shared/aws/dynamo-write-key-registry.js";
import { writeKeyHash } from "#shared/domain/write-keys/write-key.js";
import { captureOutput } from "../support/capture-output.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const T0 = Date.parse("2026-11-20T12:00:00Z");
const record = (id: string, key: string, createdAt = T0) => ({
  id,
  hash: writeKeyHash(key),
  source: "web",
  createdAt,
});

describe("DynamoWriteKeyRegistry on dynalite", () => {
  let dynamo: { client: DynamoDBClient; stop: () => Promise<void> };
  let registry: DynamoWriteKeyRegistry;
  let endpoint: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(dynamo.client, "keys", "pk", "sk");
    registry = new DynamoWriteKeyRegistry({ client: dynamo.client, tableName: "keys" });
    endpoint = String(
      await dynamo.client.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`),
    );
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynamo.stop();
  });

  it("adds, finds by hash, lists oldest first, and refuses a second key with the same id or hash", async () => {
    await registry.add(record("wk_b", "key-b", T0 + 1));
    await registry.add(record("wk_a", "key-a"));
    expect(await registry.findByHash(writeKeyHash("key-a"))).toEqual(record("wk_a", "key-a"));
    expect(await registry.findByHash(writeKeyHash("nope"))).toBeUndefined();
    expect((await registry.list()).map((r) => r.id)).toEqual(["wk_a", "wk_b"]);
    await expect(registry.add(record("wk_a", "key-c"))).rejects.toThrow(WriteKeyExistsError);
    await expect(registry.add(record("wk_c", "key-a"))).rejects.toThrow(WriteKeyExistsError);
  });

  it("revokes at a time, never later than an earlier revocation; an unknown id gives undefined", async () => {
    expect((await registry.revoke("wk_b", T0 + 100))?.revokedAt).toBe(T0 + 100);
    expect((await registry.revoke("wk_b", T0 + 500))?.revokedAt).toBe(T0 + 100);
    expect((await registry.revoke("wk_b", T0 + 50))?.revokedAt).toBe(T0 + 50);
    expect(await registry.revoke("wk_zz", T0)).toBeUndefined();
  });

  it("tailor keys works against a table named with --table, through the default credential chain", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    const run = (...args: string[]) =>
      captureOutput(() => keysCommand([...args, "--table", "keys", "--region", "us-east-1"]));
    const created = await run("create", "--source", "ios", "--json");
    expect(created.code, created.err).toBe(0);
    const issued: unknown = JSON.parse(created.out);
    const id = String(Reflect.get(Object(Reflect.get(Object(issued), "record")), "id"));
    const key = String(Reflect.get(Object(issued), "key"));
    expect(await registry.findByHash(writeKeyHash(key))).toMatchObject({ id, source: "ios" });
    const rotated = await run("rotate", id, "--grace", "24h");
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/^tk_/);
    expect(rotated.out).toMatch(/revoked from \S+ \(grace period\)/);
    const listed = await run("list");
    expect(listed.out.split("\n").filter((line) => line.includes("ios"))).toHaveLength(2);
    expect(listed.out).not.toContain(key);
    // the CLI's main prints a refusal as one line: the command throws it
    await expect(run("create", "--source", "Not A Source")).rejects.toThrow(/source must be/);
  });
});
