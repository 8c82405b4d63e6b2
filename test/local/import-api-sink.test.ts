import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { HistoricalEvent } from "#cli/import-events.js";
import { apiSink } from "#cli/import-sinks.js";

interface Received {
  readonly url: string | undefined;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** A stub of the deployed HTTP API: keeps every request; answers 400 to batches holding `refuse-me`. */
async function stubApi(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += String(chunk);
    });
    request.on("end", () => {
      received.push({
        url: request.url,
        authorization: request.headers.authorization,
        body: JSON.parse(text),
      });
      const refuse = text.includes("refuse-me");
      response.writeHead(refuse ? 400 : 200, { "content-type": "application/json" });
      response.end(refuse ? '{"error":"bad batch"}' : '{"success":true}');
    });
  });
  const port = await new Promise<number>((resolve) =>
    server?.listen(0, "127.0.0.1", () => {
      const address = server?.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    }),
  );
  return { url: `http://127.0.0.1:${port}/`, received };
}

const event = (id: string, padding = 0): HistoricalEvent => ({
  customerId: "c-1",
  kind: "order",
  json: JSON.stringify({ type: "track", messageId: id, userId: "c-1", pad: "x".repeat(padding) }),
  lines: [2],
});

describe("apiSink", () => {
  it("posts Segment batches to /v1/import with the write key, split below ~480 KB", async () => {
    const api = await stubApi();
    const events = Array.from({ length: 5 }, (_, i) => event(`m-${i}`, 200_000));

    const result = await apiSink({ url: api.url, writeKey: "wk-1" }).send(events);

    expect(result.failed.size).toBe(0);
    expect(api.received.map((r) => r.url)).toEqual(["/v1/import", "/v1/import", "/v1/import"]);
    expect(api.received[0]?.authorization).toBe(`Basic ${Buffer.from("wk-1:").toString("base64")}`);
    const ids = api.received.flatMap((r) =>
      typeof r.body === "object" && r.body !== null && "batch" in r.body && Array.isArray(r.body.batch)
        ? r.body.batch.map((e: { messageId?: string }) => e.messageId)
        : [],
    );
    expect(ids).toEqual(["m-0", "m-1", "m-2", "m-3", "m-4"]);
  });

  it("fails the events of a refused request with the status and body, and keeps the others", async () => {
    const api = await stubApi();
    const events = [event("ok-1", 300_000), event("refuse-me", 300_000)];

    const result = await apiSink({ url: api.url, writeKey: "wk-1" }).send(events);

    expect([...result.failed]).toEqual([[1, 'HTTP 400: {"error":"bad batch"}']]);
  });
});
