import { gzipSync } from "node:zlib";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "#infra/local/api-event.js";
import { type ApiServer, startApiServer } from "#infra/local/api-server.js";
import type { HttpApiSpec } from "#infra/local/resource-plan.js";

const fn = {
  functionName: "tailor-api",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:tailor-api",
  memorySize: 256,
  timeoutSeconds: 5,
};

const api: HttpApiSpec = {
  logicalId: "Api",
  apiId: "ApiF70053CD",
  endpoint: "https://ApiF70053CD.execute-api.us-east-1.amazonaws.com",
  stage: "$default",
  routes: ["GET /unsubscribe", "POST /unsubscribe", "POST /v1/events", "GET /files/{name}", "GET /boom"].map(
    (routeKey) => ({
      routeKey,
      functionName: "tailor-api",
      authorizationType: routeKey.includes("events") ? "AWS_IAM" : "NONE",
    }),
  ),
};

const events: APIGatewayProxyEventV2[] = [];
/** Echoes what it got; answers some paths specially. */
const handler: ApiHandler = async (event) => {
  events.push(event);
  if (event.rawPath === "/boom") throw new Error("boom");
  if (event.rawPath === "/files/logo.png") {
    return {
      statusCode: 200,
      headers: { "Content-Type": "image/png" },
      body: Buffer.from([137, 80, 78, 71]).toString("base64"),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: event.requestContext.http.method === "POST" ? 202 : 200,
    headers: { "content-type": "text/html; charset=utf-8", "x-route": event.routeKey },
    cookies: ["seen=1"],
    body: `<p>${event.routeKey}</p>`,
  };
};

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({
    api,
    functions: new Map([["tailor-api", { function: fn, handler }]]),
    port: 0,
  });
});
afterAll(async () => {
  await server?.close();
});

describe("the local HTTP API", () => {
  it("turns a GET with a query string into APIGatewayProxyEventV2 and writes the result back", async () => {
    // WHEN
    const response = await fetch(`${server.url}/unsubscribe?t=abc%2B1&c=x&c=y`, {
      headers: { "X-Trace": "one", Cookie: "a=1; b=2" },
    });
    // THEN the response is the handler's
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("x-route")).toBe("GET /unsubscribe");
    expect(response.headers.get("set-cookie")).toBe("seen=1");
    expect(await response.text()).toBe("<p>GET /unsubscribe</p>");
    // ...and the event is API Gateway's
    const event = events.at(-1);
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /unsubscribe",
      rawPath: "/unsubscribe",
      rawQueryString: "t=abc%2B1&c=x&c=y",
      queryStringParameters: { t: "abc+1", c: "x,y" },
      cookies: ["a=1", "b=2"],
      isBase64Encoded: false,
      requestContext: {
        apiId: "ApiF70053CD",
        stage: "$default",
        routeKey: "GET /unsubscribe",
        http: { method: "GET", path: "/unsubscribe", sourceIp: "127.0.0.1" },
      },
    });
    expect(event?.headers["x-trace"]).toBe("one");
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.body).toBeUndefined();
  });

  it("passes a form POST base64-encoded and a JSON POST as text, as API Gateway does", async () => {
    const form = await fetch(`${server.url}/unsubscribe?t=tok`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(form.status).toBe(202);
    const formEvent = events.at(-1);
    expect(formEvent).toMatchObject({ routeKey: "POST /unsubscribe", isBase64Encoded: true });
    expect(Buffer.from(formEvent?.body ?? "", "base64").toString("utf8")).toBe("List-Unsubscribe=One-Click");

    const json = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"type":"track"}',
    });
    // An AWS_IAM route accepts the unsigned request locally.
    expect(json.status).toBe(202);
    expect(events.at(-1)).toMatchObject({
      routeKey: "POST /v1/events",
      isBase64Encoded: false,
      body: '{"type":"track"}',
    });

    // ...but a gzip body labelled JSON is bytes: base64, so not one byte is lost to UTF-8 decoding
    const gzipped = gzipSync('{"type":"track"}');
    await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipped,
    });
    expect(events.at(-1)).toMatchObject({ isBase64Encoded: true, body: gzipped.toString("base64") });
  });

  it("decodes a base64 result body, fills path parameters, and answers 404 and 500 as API Gateway does", async () => {
    const image = await fetch(`${server.url}/files/logo.png`);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([137, 80, 78, 71]);
    expect(events.at(-1)).toMatchObject({
      routeKey: "GET /files/{name}",
      pathParameters: { name: "logo.png" },
    });

    const before = events.length;
    const missing = await fetch(`${server.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "Not Found" });
    const wrongMethod = await fetch(`${server.url}/v1/events`);
    expect(wrongMethod.status).toBe(404);
    expect(events.length).toBe(before);

    const failing = await fetch(`${server.url}/boom`);
    expect(failing.status).toBe(500);
    expect(await failing.json()).toEqual({ message: "Internal Server Error" });
  });
});
