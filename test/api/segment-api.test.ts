import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { toApiRequest, toGatewayResult } from "#functions/api/gateway-event.js";
import type { ApiDeps } from "#shared/app/api/api-deps.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { SEGMENT_BATCH_MAX_BYTES, SEGMENT_CALL_MAX_BYTES } from "#shared/app/api/segment-body.js";
import { loggablePath } from "#shared/app/api/segment-routes.js";
import { CachedWriteKeyVerifier } from "#shared/app/api/write-key-auth.js";
import { createWriteKey, revokeWriteKey } from "#shared/app/write-keys/manage-write-keys.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { InMemoryWriteKeyRegistry } from "../fakes/in-memory-write-keys.js";
import { type GatewayEventInput, gatewayEvent, harness, NOW } from "./api-harness.js";

const utf8 = new TextDecoder();

interface Setup {
  readonly h: ReturnType<typeof harness>;
  readonly registry: InMemoryWriteKeyRegistry;
  readonly key: string;
  readonly keyId: string;
  call(
    input: Partial<GatewayEventInput>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
}

async function setup(origins: readonly string[] = ["*"]): Promise<Setup> {
  const h = harness();
  const registry = new InMemoryWriteKeyRegistry();
  const clock = { now: () => h.now };
  const deps: ApiDeps = {
    ...h.deps,
    segment: { writeKeys: new CachedWriteKeyVerifier({ registry, clock }), corsOrigins: origins },
  };
  const issued = await createWriteKey({ registry, clock }, "web");
  return {
    h,
    registry,
    key: issued.key,
    keyId: issued.record.id,
    async call(input) {
      const result = toGatewayResult(await routeApiRequest(deps, toApiRequest(gatewayEvent(input))));
      return { status: result.statusCode ?? 0, headers: result.headers ?? {}, body: result.body ?? "" };
    },
  };
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

function post(path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    path,
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { authorization: basic(key) }),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The calls of one record: the array's elements, or the lone call. */
function callsOf(data: Uint8Array): Record<string, unknown>[] {
  const value: unknown = JSON.parse(utf8.decode(data));
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item !== "object" || item === null) throw new Error("not a call");
    return Object.fromEntries(Object.entries(item));
  });
}

const track = (userId: string, event: string, extra: Record<string, unknown> = {}) => ({
  type: "track",
  userId,
  event,
  messageId: `m-${userId}-${event}`,
  timestamp: "2026-11-20T11:59:00.000Z",
  properties: {},
  ...extra,
});

describe("Segment's HTTP Tracking API", () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });

  it("takes a batch: 200 {success:true}, one record per customer holding its calls in order, filled", async () => {
    // GIVEN a batch of three calls for two customers, with batch-level sentAt and context
    const body = {
      batch: [
        track("u1", "Promo Viewed"),
        { ...track("u2", "Searched"), context: { page: { path: "/p" } } },
        track("u1", "Banner Clicked"),
      ],
      sentAt: "2026-11-20T11:59:30.000Z",
      context: { library: { name: "analytics-node" }, page: { path: "/batch" } },
      writeKey: s.key,
    };
    // WHEN it is posted with the key as Basic user name
    const res = await s.call(post("/v1/batch", s.key, body));
    // THEN Segment's answer, and each customer's calls in one record, in request order
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true });
    expect(s.h.events.puts).toHaveLength(1);
    const records = s.h.events.records;
    expect(records.map((r) => r.customerId)).toEqual(["u1", "u2"]);
    const [u1, u2] = records.map((r) => callsOf(r.data));
    expect(u1?.map((c) => c.event)).toEqual(["Promo Viewed", "Banner Clicked"]);
    const first = u1?.[0];
    expect(first?.sentAt).toBe("2026-11-20T11:59:30.000Z");
    expect(first?.receivedAt).toBe(new Date(NOW).toISOString());
    expect(first?.context).toEqual({ library: { name: "analytics-node" }, page: { path: "/batch" } });
    expect(first?.writeKey).toBeUndefined();
    // the call's own context keys win over the batch's
    expect(u2?.[0]?.context).toEqual({ library: { name: "analytics-node" }, page: { path: "/p" } });
    // and every filled call is one the ingest accepts as it is today
    for (const call of [...(u1 ?? []), ...(u2 ?? [])]) {
      const decoded = decodeEvent(new TextEncoder().encode(JSON.stringify(call)), NOW);
      expect(decoded.ok).toBe(true);
    }
    expect(JSON.stringify(records.map((r) => utf8.decode(r.data)))).not.toContain(s.key);
  });

  it("sets type from the path on the single-call routes, long and short", async () => {
    for (const [path, type] of [
      ["/v1/track", "track"],
      ["/v1/identify", "identify"],
      ["/v1/p", "page"],
      ["/v1/s", "screen"],
      ["/v1/g", "group"],
      ["/v1/a", "alias"],
    ] as const) {
      const res = await s.call(post(path, s.key, { ...track("u9", "X"), type: "bogus", messageId: path }));
      expect(res.status).toBe(200);
      expect(callsOf(s.h.events.records.at(-1)?.data ?? new Uint8Array())[0]?.type).toBe(type);
    }
  });

  it("takes the write key from the body when there is no Authorization header (the browser library)", async () => {
    const res = await s.call(
      post("/v1/t", undefined, { ...track("u1", "A"), writeKey: s.key }, { "content-type": "text/plain" }),
    );
    expect(res.status).toBe(200);
    expect(callsOf(s.h.events.records[0]?.data ?? new Uint8Array())[0]?.writeKey).toBeUndefined();
  });

  it("refuses a missing, unknown, malformed or revoked key with 401 and no detail, putting nothing", async () => {
    const other = await createWriteKey(
      { registry: new InMemoryWriteKeyRegistry(), clock: { now: () => NOW } },
      "web",
    );
    const revoked = await createWriteKey({ registry: s.registry, clock: { now: () => NOW } }, "ios");
    await revokeWriteKey({ registry: s.registry, clock: { now: () => NOW } }, revoked.record.id);
    for (const request of [
      post("/v1/batch", undefined, { batch: [track("u1", "A")] }),
      post("/v1/batch", other.key, { batch: [track("u1", "A")] }),
      post("/v1/batch", "not-a-key", { batch: [track("u1", "A")] }),
      post("/v1/batch", undefined, { batch: [track("u1", "A")], writeKey: other.key }),
      post("/v1/batch", revoked.key, { batch: [track("u1", "A")] }),
      // a wrong header is not rescued by a right body key
      post("/v1/batch", other.key, { batch: [track("u1", "A")], writeKey: s.key }),
    ]) {
      const res = await s.call(request);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ success: false, message: "Unauthorized" });
    }
    expect(s.h.events.records).toHaveLength(0);
  });

  it("gunzips a gzip body whatever its content type says (RudderStack's form-urlencoded label)", async () => {
    const body = gzipSync(JSON.stringify({ batch: [track("u1", "A"), track("u1", "B")] }));
    const res = await s.call({
      method: "POST",
      path: "/v1/batch",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-encoding": "gzip",
        authorization: basic(s.key),
      },
      body: body.toString("base64"),
      isBase64Encoded: true,
    });
    expect(res.status).toBe(200);
    expect(callsOf(s.h.events.records[0]?.data ?? new Uint8Array()).map((c) => c.event)).toEqual(["A", "B"]);
  });

  it("refuses with 400 a gzip bomb, corrupt gzip, bad JSON, a call over 32 KB and a batch over 500 KB", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.byteLength).toBeLessThan(SEGMENT_BATCH_MAX_BYTES);
    const gz = (bytes: Uint8Array) => ({
      method: "POST",
      path: "/v1/batch",
      headers: { "content-encoding": "gzip", authorization: basic(s.key) },
      body: Buffer.from(bytes).toString("base64"),
      isBase64Encoded: true,
    });
    const big = "x".repeat(SEGMENT_CALL_MAX_BYTES);
    const cases: [Partial<GatewayEventInput>, RegExp][] = [
      [gz(bomb), /over 512000 bytes once gunzipped/],
      [gz(new Uint8Array([0x1f, 0x8b, 1, 2, 3])), /not valid gzip/],
      [{ ...post("/v1/batch", s.key, {}), body: "{nope" }, /not valid JSON/],
      [
        post("/v1/batch", s.key, { batch: [track("u1", "A", { properties: { big } })] }),
        /call 0 is over 32768 bytes/,
      ],
      [post("/v1/track", s.key, track("u1", "A", { properties: { big } })), /over 32768 bytes/],
      [
        post("/v1/batch", s.key, {
          batch: Array.from({ length: 20 }, (_, i) =>
            track(`u${i}`, "A", { properties: { big: big.slice(0, 30_000) } }),
          ),
        }),
        /over 512000 bytes/,
      ],
      [post("/v1/batch", s.key, { batch: "no" }), /batch must be an array/],
      [
        post("/v1/batch", s.key, { batch: Array.from({ length: 2_501 }, () => ({})) }),
        /2501 calls; the limit is 2500/,
      ],
    ];
    for (const [request, message] of cases) {
      const res = await s.call(request);
      expect(res.status).toBe(400);
      const answer: unknown = JSON.parse(res.body);
      expect(answer).toEqual({ success: false, message: expect.stringMatching(message) });
    }
    expect(s.h.events.records).toHaveLength(0);
  });

  it("puts invalid calls on the stream for the ingest to quarantine (200), keyed by their content when they name no customer", async () => {
    const res = await s.call(
      post("/v1/batch", s.key, {
        batch: [{ type: "track", event: "No Id", timestamp: "2026-11-20T11:00:00Z" }, 42],
      }),
    );
    expect(res.status).toBe(200);
    const records = s.h.events.records;
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.customerId).toMatch(/^x-[0-9a-f]{40}$/);
      // exactly the bytes the ingest will decode, and refuse with a reason
      expect(decodeEvent(record.data, NOW).ok).toBe(false);
    }
  });

  it("derives a messageId that a retry (new sentAt) keeps and other content or another key changes", async () => {
    const call = { type: "track", userId: "u1", event: "A", timestamp: "2026-11-20T11:00:00Z" };
    const idOf = async (body: unknown, key = s.key) => {
      expect((await s.call(post("/v1/batch", key, body))).status).toBe(200);
      return callsOf(s.h.events.records.at(-1)?.data ?? new Uint8Array())[0]?.messageId;
    };
    const first = await idOf({ batch: [call], sentAt: "2026-11-20T11:00:01Z" });
    s.h.now += 5_000;
    const retry = await idOf({ batch: [{ ...call, sentAt: "x" }], sentAt: "2026-11-20T11:00:09Z" });
    const reordered = await idOf({
      batch: [{ timestamp: call.timestamp, event: "A", userId: "u1", type: "track" }],
    });
    const other = await idOf({ batch: [{ ...call, event: "B" }] });
    const second = await createWriteKey({ registry: s.registry, clock: { now: () => NOW } }, "ios");
    const otherKey = await idOf({ batch: [call] }, second.key);
    expect(first).toMatch(/^api-[0-9a-f]{32}$/);
    expect(retry).toBe(first);
    expect(reordered).toBe(first);
    expect(other).not.toBe(first);
    expect(otherKey).not.toBe(first);
  });

  it("marks every call of /v1/import historical, keeping its own context", async () => {
    const res = await s.call(
      post("/v1/import", s.key, {
        batch: [track("u1", "A", { context: { ip: "1.2.3.4", tailor: { x: 1 } } }), track("u2", "B")],
      }),
    );
    expect(res.status).toBe(200);
    const contexts = s.h.events.records.flatMap((r) => callsOf(r.data)).map((c) => c.context);
    expect(contexts).toEqual([
      { ip: "1.2.3.4", tailor: { x: 1, historical: true } },
      { tailor: { historical: true } },
    ]);
    // the live batch route marks nothing
    await s.call(post("/v1/batch", s.key, { batch: [track("u3", "C")] }));
    expect(callsOf(s.h.events.records.at(-1)?.data ?? new Uint8Array())[0]?.context).toBeUndefined();
  });

  it("answers 503 with Retry-After (and CORS) when the stream refuses, so the library sends again", async () => {
    s.h.events.refuse = true;
    const res = await s.call(post("/v1/batch", s.key, { batch: [track("u1", "A")] }));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });

  it("answers a CORS preflight and carries Allow-Origin on answers; listed origins only when configured", async () => {
    const preflight = await s.call({
      method: "OPTIONS",
      path: "/v1/t",
      headers: { origin: "https://a.example" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": expect.stringContaining("Authorization"),
    });
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
    const listed = await setup(["https://shop.example.com"]);
    const ok = await listed.call(
      post("/v1/batch", listed.key, { batch: [] }, { origin: "https://shop.example.com" }),
    );
    expect(ok.headers["access-control-allow-origin"]).toBe("https://shop.example.com");
    const refused = await listed.call({
      method: "OPTIONS",
      path: "/v1/batch",
      headers: { origin: "https://evil.example" },
    });
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    expect(refused.headers["access-control-allow-methods"]).toBeUndefined();
  });

  it("serves the browser library's settings: Segment.io alone, pointing at this host, for a valid key only", async () => {
    const res = await s.call({
      method: "GET",
      path: `/v1/projects/${s.key}/settings`,
      headers: { host: "api.shop.example.com", "x-forwarded-proto": "https" },
    });
    expect(res.status).toBe(200);
    const settings: unknown = JSON.parse(res.body);
    expect(settings).toMatchObject({
      integrations: {
        "Segment.io": { apiKey: s.key, apiHost: "api.shop.example.com/v1", protocol: "https" },
      },
      remotePlugins: [],
      enabledMiddleware: {},
      metrics: { sampleRate: 0 },
    });
    expect(Object.keys(Reflect.get(Object(settings), "integrations"))).toEqual(["Segment.io"]);
    const local = await s.call({
      method: "GET",
      path: `/v1/projects/${s.key}/settings`,
      headers: { host: "127.0.0.1:8006" },
    });
    expect(JSON.parse(local.body).integrations["Segment.io"]).toMatchObject({
      apiHost: "127.0.0.1:8006/v1",
      protocol: "http",
    });
    const wrong = await s.call({
      method: "GET",
      path: "/v1/projects/tk_wrong/settings",
      headers: { host: "x" },
    });
    expect(wrong.status).toBe(401);
    expect(loggablePath(`/v1/projects/${s.key}/settings`)).not.toContain(s.key);
  });
});
