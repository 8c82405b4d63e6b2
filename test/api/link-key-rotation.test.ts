/**
 * The API function as deployed: its handler module (env validated at import, `makeApiDeps`, Powertools' 300 s
 * secret cache, the router), with Secrets Manager, Kinesis and DynamoDB answered by aws-sdk-client-mock. What a
 * rotation must not break: links sent before it, and links dispatch signs with a key the API has not cached yet.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as links from "#shared/render/index.js";
import { DAY, GENERATED, GRACE_MS, K2, PLAIN, T0 } from "../support/link-key-fixtures.js";
import { apiLambdaContext, gatewayEvent } from "./api-harness.js";

const secretsManager = mockClient(SecretsManagerClient);
const kinesis = mockClient(KinesisClient);
const dynamodb = mockClient(DynamoDBClient);

/** What the secret holds now, by ARN (the test rotates it as `tailor links rotate` would). */
const stored = new Map<string, string>();
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tailor-link-secret-AbCdEf";

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
  secretsManager.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => {
    const value = stored.get(input.SecretId ?? "");
    if (value === undefined) throw new Error(`no secret ${input.SecretId}`);
    return { ARN: input.SecretId, Name: "tailor-link-secret", SecretString: value };
  });
  kinesis.on(PutRecordsCommand).callsFake((input: { Records?: unknown[] }) => ({
    FailedRecordCount: 0,
    Records: (input.Records ?? []).map((_, i) => ({ SequenceNumber: String(i), ShardId: "shardId-0" })),
  }));
  // Unknown profiles: the pages still unsubscribe.
  dynamodb.on(GetItemCommand).resolves({});
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("EVENTS_STREAM", "tailor-events");
  vi.stubEnv("PROFILES_TABLE", "tailor-profiles");
  vi.stubEnv("WRITE_KEYS_TABLE", "tailor-write-keys");
  vi.stubEnv("LINK_SECRET_ARN", ARN);
  vi.stubEnv("LINK_KEY_GRACE_DAYS", "90");
  vi.stubEnv("SHOP_NAME", "Acme Shop");
  vi.stubEnv("SHOP_URL", "https://shop.example.com/");
  vi.stubEnv("CORS_ALLOWED_ORIGINS", "*");
  vi.stubEnv("POWERTOOLS_SERVICE_NAME", "tailor-api");
  vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Tailor");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  stored.set(ARN, GENERATED);
  ({ handler } = await import("#functions/api/handler.js"));
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  secretsManager.restore();
  kinesis.restore();
  dynamodb.restore();
});

const context = apiLambdaContext(T0);

async function call(method: "GET" | "POST", token: string): Promise<number> {
  const event = gatewayEvent({
    method,
    path: "/unsubscribe",
    query: `t=${encodeURIComponent(token)}`,
    ...(method === "POST"
      ? {
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "List-Unsubscribe=One-Click",
        }
      : {}),
  });
  return (await handler(event, context)).statusCode ?? 0;
}

/** An unsubscribe link as dispatch signs it at `now`: valid 60 days, with the ring's current key. */
function linkSignedWith(ring: links.LinkKeyRing, customerId: string): string {
  return links.signLinkToken(
    { purpose: "unsubscribe", customerId, campaignId: "winback", expiresAt: Date.now() + 60 * DAY },
    ring.current.secret,
    ring.current.id === "k0" ? undefined : ring.current.id,
  );
}

function rotate(arn: string): links.LinkKeyRing {
  const rotated = links.rotateLinkKeyRing(links.parseLinkKeyRing(stored.get(arn) ?? ""), {
    secret: K2,
    now: Date.now(),
    graceMs: GRACE_MS,
  }).ring;
  stored.set(arn, links.formatLinkKeyRing(rotated));
  return rotated;
}

const secretReads = () => secretsManager.commandCalls(GetSecretValueCommand).length;
const unsubscribed = () =>
  kinesis
    .commandCalls(PutRecordsCommand)
    .flatMap((put) => put.args[0].input.Records ?? [])
    .map((record) => record.PartitionKey);

describe("rotating the link secret, through the API function's handler", () => {
  it("a link sent before the rotation still unsubscribes after it; one dispatch signs with the new key verifies at once", async () => {
    // GIVEN a link sent with k1, opened once (the API caches the ring for 300 s)
    const before = linkSignedWith(links.parseLinkKeyRing(stored.get(ARN) ?? ""), "c-before");
    expect(await call("GET", before)).toBe(200);
    expect(secretReads()).toBe(1);

    // WHEN the secret is rotated a minute later, and dispatch (which read it) signs with k2 while the API's cache
    // still holds the ring without k2
    vi.setSystemTime(T0 + 60_000);
    const ring = rotate(ARN);
    const after = linkSignedWith(ring, "c-after");
    expect(after.startsWith("k2.")).toBe(true);

    // THEN the new link works: the unknown key id makes the API read the secret once past its cache
    expect(await call("POST", after)).toBe(200);
    expect(secretReads()).toBe(2);
    // ...and the link from before the rotation, one-click (RFC 8058), still unsubscribes, from the same cache
    vi.setSystemTime(T0 + 30 * DAY);
    expect(await call("POST", before)).toBe(200);
    expect(unsubscribed()).toEqual(["c-after", "c-before"]);
  });

  it("a forged key id costs at most one read of the secret per 10 s, and is refused", async () => {
    const reads = secretReads();
    const forged = `k9.${linkSignedWith(links.parseLinkKeyRing(stored.get(ARN) ?? ""), "c-x")
      .split(".")
      .slice(1)
      .join(".")}`;
    expect(await call("POST", forged)).toBe(403);
    expect(await call("POST", forged)).toBe(403);
    expect(await call("GET", forged)).toBe(403);
    // The cache was older than 300 s (the clock moved 30 days): one cached read, one read past the cache.
    expect(secretReads() - reads).toBeLessThanOrEqual(2);
    const settled = secretReads();
    expect(await call("POST", forged)).toBe(403);
    expect(secretReads()).toBe(settled);
    vi.setSystemTime(Date.now() + 10_001);
    expect(await call("POST", forged)).toBe(403);
    expect(secretReads() - settled).toBeGreaterThanOrEqual(1);
    expect(unsubscribed()).not.toContain("c-x");
  });
});

describe("a stack deployed before key rings (a plain-string secret)", () => {
  const PLAIN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tailor-link-secret-Plain1";

  it("its links (version 1, no key id) unsubscribe before and after its first rotation", async () => {
    // GIVEN the API function of a stack whose secret is one plain string, and a link it sent
    stored.set(PLAIN_ARN, PLAIN);
    vi.stubEnv("LINK_SECRET_ARN", PLAIN_ARN);
    vi.resetModules();
    ({ handler } = await import("#functions/api/handler.js"));
    const legacy = linkSignedWith(links.parseLinkKeyRing(PLAIN), "c-legacy");
    expect(legacy.split(".")).toHaveLength(2);
    expect(await call("GET", legacy)).toBe(200);
    // WHEN it is rotated (the plain key becomes k0, retired), past the API's cache
    const ring = rotate(PLAIN_ARN);
    expect(ring.current.id).toBe("k1");
    vi.setSystemTime(Date.now() + 301_000);
    // THEN the old link still unsubscribes, and a link signed with k1 too
    expect(await call("POST", legacy)).toBe(200);
    expect(await call("POST", linkSignedWith(ring, "c-new"))).toBe(200);
    expect(unsubscribed().slice(-2)).toEqual(["c-legacy", "c-new"]);
  });
});
