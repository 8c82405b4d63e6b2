import http from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { Analytics as SegmentAnalytics } from "@segment/analytics-node";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysCommand } from "#cli/keys-command.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { tempDir, testClients } from "../local/helpers.js";
import { startTestStack } from "../local/test-stack.js";
import { captureOutput } from "../support/capture-output.js";
import { chromiumPresent, launchChromium } from "../support/headless-chromium.js";
import { readStreamCalls, type StreamCall } from "../support/stream-calls.js";

/**
 * The official client libraries of Segment and RudderStack, pointed at the local stack's HTTP API with a write key
 * made by `tailor keys`, changing nothing else: their calls reach the stream filled as Segment's server fills
 * them, and the profiles show them. A wrong key gets 401, and each library reports it.
 */

const temp = tempDir("tailor-segment-sdks-");
let stack: LocalStack;
let apiUrl: string;
let writeKey: string;
let profiles: DynamoProfileStore;

async function keys(...args: string[]): Promise<string> {
  const result = await captureOutput(() => keysCommand([...args, "--data-dir", temp.dir]));
  expect(result.code, result.err).toBe(0);
  return result.out;
}

async function profileOf(customerId: string): Promise<Profile> {
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
  const stored = await profiles.get(customerId);
  if (stored === undefined) throw new Error(`no profile for ${customerId}`);
  return stored.profile;
}

async function callsOf(userIds: readonly string[]): Promise<StreamCall[]> {
  const all = await readStreamCalls(testClients(stack.endpoints).kinesis, LOCAL_NAMES.eventStream);
  return all.filter(({ call }) =>
    [call.userId, call.anonymousId, call.previousId].some(
      (id) => typeof id === "string" && userIds.includes(id),
    ),
  );
}

/** The screen, group and alias calls on the profile: a screen view, the group with its name, the other id merged in. */
function expectViewsGroupsAliases(profile: Profile, previousId: string, screen = true): void {
  if (screen) expect(profile.k.sn).toBeDefined();
  expect(profile.gr).toEqual([
    expect.objectContaining({ i: "acme", t: expect.objectContaining({ name: "Acme" }) }),
  ]);
  expect(profile.im?.map((link) => link.i)).toContain(previousId);
}

/** What every call the API put must show: Segment's server fields filled, the write key gone. */
function expectFilled(calls: readonly StreamCall[], types: readonly string[]): void {
  expect([...new Set(calls.map(({ call }) => call.type))].sort()).toEqual([...types].sort());
  for (const { call } of calls) {
    expect(call.receivedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(typeof call.messageId).toBe("string");
    expect(call.writeKey).toBeUndefined();
  }
  expect(JSON.stringify(calls)).not.toContain(writeKey);
}

beforeAll(async () => {
  stack = await startTestStack({ dataDir: temp.dir, clock: { now: () => Date.now() } });
  apiUrl = stack.apiUrl ?? "";
  profiles = new DynamoProfileStore({
    client: new DynamoDBClient({
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
      endpoint: stack.endpoints.dynamodb,
    }),
    tableName: LOCAL_NAMES.profileTable,
  });
  writeKey = (await keys("create", "--source", "tests")).split("\n")[0] ?? "";
  expect(writeKey).toMatch(/^tk_/);
});

afterAll(async () => {
  await stack?.stop();
  temp.remove();
});

describe("Segment's and RudderStack's libraries against the local HTTP API", () => {
  it("tailor keys lists the key by id and source, never the key", async () => {
    const listed = await keys("list");
    expect(listed).toMatch(/^wk_[0-9a-f]{12}\s+tests\s+created \S+\s+active$/m);
    expect(listed).not.toContain(writeKey);
  });

  it("@segment/analytics-node (host and write key changed): every call reaches the stream, the profile shows them", async () => {
    // GIVEN the library as documented, pointed at the local API
    const analytics = new SegmentAnalytics({ writeKey, host: apiUrl });
    const errors: unknown[] = [];
    analytics.on("error", (error) => errors.push(error));
    // WHEN it sends each call type
    analytics.identify({ userId: "sn-1", traits: { email: "sn-1@example.com", first_name: "Sue" } });
    analytics.track({ userId: "sn-1", event: "Clicked Banner", properties: { banner: "winter" } });
    analytics.page({ userId: "sn-1", name: "Home", properties: { url: "https://shop.example.com/" } });
    analytics.screen({ userId: "sn-1", name: "Cart" });
    analytics.group({ userId: "sn-1", groupId: "acme", traits: { name: "Acme" } });
    analytics.alias({ userId: "sn-1", previousId: "sn-anon-1" });
    await analytics.closeAndFlush();
    // THEN no error, each call on the stream, filled
    expect(errors).toEqual([]);
    expectFilled(await callsOf(["sn-1"]), ["identify", "track", "page", "screen", "group", "alias"]);
    // ...and the profile holds the traits, the custom event and the page view
    const profile = await profileOf("sn-1");
    expect(profile.t).toMatchObject({ email: "sn-1@example.com" });
    expect(profile.x?.["Clicked Banner"]).toBe(1);
    expect(profile.k.pg).toBeDefined();
    expectViewsGroupsAliases(profile, "sn-anon-1");
  });

  it("@rudderstack/rudder-sdk-node (gzip on, its default): every call reaches the stream, the profile shows them", async () => {
    const rudder = new RudderAnalytics(writeKey, { dataPlaneUrl: apiUrl, logLevel: "error" });
    // No timestamp: the library sends originalTimestamp and sentAt, and the ingest takes Segment's clock-skew
    // correction from them and the receivedAt the API stamps.
    rudder.identify({ userId: "rs-1", traits: { email: "rs-1@example.com" } });
    rudder.track({ userId: "rs-1", event: "Clicked Banner", properties: { banner: "spring" } });
    rudder.page({ userId: "rs-1", name: "Home", properties: { url: "https://shop.example.com/" } });
    rudder.screen({ userId: "rs-1", name: "Cart" });
    rudder.group({ userId: "rs-1", groupId: "acme", traits: { name: "Acme" } });
    rudder.alias({ userId: "rs-1", previousId: "rs-anon-1" });
    await rudder.flush();
    expectFilled(await callsOf(["rs-1"]), ["identify", "track", "page", "screen", "group", "alias"]);
    const profile = await profileOf("rs-1");
    expect(profile.t).toMatchObject({ email: "rs-1@example.com" });
    expect(profile.x?.["Clicked Banner"]).toBe(1);
    expect(profile.k.pg).toBeDefined();
    expectViewsGroupsAliases(profile, "rs-anon-1");
    // ...at the time the library stamped, not a default: within the test's own run
    expect(profile.fs ?? 0).toBeGreaterThan(Date.now() - 120_000);
  });

  it("a wrong key gets 401 and both Node libraries report it; nothing reaches the stream", async () => {
    const wrong = `tk_${"A".repeat(43)}`;
    const analytics = new SegmentAnalytics({ writeKey: wrong, host: apiUrl, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ userId: "bad-1", event: "Clicked Banner" });
    await analytics.closeAndFlush();
    expect(String(Reflect.get(Object(errors[0]), "reason") ?? errors[0])).toMatch(/401/);

    const rudder = new RudderAnalytics(wrong, { dataPlaneUrl: apiUrl, logLevel: "silent", retryCount: 0 });
    const reported = new Promise<unknown>((resolve) =>
      rudder.track({ userId: "bad-2", event: "Clicked Banner" }, (error?: unknown) => resolve(error)),
    );
    await rudder.flush().catch(() => undefined);
    expect(String(await reported)).toMatch(/Unauthorized|401/);
    expect(await callsOf(["bad-1", "bad-2"])).toEqual([]);
  });

  const present = chromiumPresent("Segment browser library");
  it.skipIf(!present)(
    "@segment/analytics-next in headless Chromium (cdnURL pointed here): settings, CORS, calls, profile; a wrong key fails to load",
    async () => {
      // GIVEN analytics-next bundled for the browser, on a page of another origin than the API
      const bundle = await build({
        stdin: {
          contents: 'export { AnalyticsBrowser } from "@segment/analytics-next";',
          resolveDir: process.cwd(),
        },
        bundle: true,
        format: "iife",
        globalName: "Seg",
        platform: "browser",
        write: false,
        logLevel: "silent",
        define: { "process.env.NODE_ENV": '"production"' },
      });
      const script = bundle.outputFiles[0]?.text ?? "";
      const site = http.createServer((req, res) => {
        if (req.url === "/seg.js") {
          res.writeHead(200, { "content-type": "text/javascript" }).end(script);
        } else {
          res
            .writeHead(200, { "content-type": "text/html" })
            .end('<!doctype html><script src="/seg.js"></script>');
        }
      });
      await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", () => resolve()));
      const address = site.address();
      const siteUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`;
      let browser: Browser | undefined;
      try {
        browser = await launchChromium();
        const page = await browser.newPage();
        const requests: string[] = [];
        page.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
        await page.goto(siteUrl);
        // WHEN the page loads the library with the key and sends each call type
        const run = (key: string) =>
          page.evaluate<string>(`(async () => {
            try {
              const [analytics] = await Seg.AnalyticsBrowser.load(
                { writeKey: ${JSON.stringify(key)}, cdnURL: ${JSON.stringify(apiUrl)} },
                { disableClientPersistence: true },
              );
              await analytics.identify("br-1", { email: "br-1@example.com" });
              await analytics.track("Clicked Banner", { banner: "summer" });
              await analytics.page("Shop", "Home");
              await analytics.group("acme", { name: "Acme" });
              await analytics.alias("br-1", "br-anon-1");
              return "sent";
            } catch (error) {
              return "failed: " + String(error && error.message || error);
            }
          })()`);
        expect(await run(writeKey)).toBe("sent");
        // THEN the settings came from the local API, the calls went there cross-origin (preflight included)
        expect(requests).toContain(`GET ${apiUrl}/v1/projects/${writeKey}/settings`);
        expect(requests.some((r) => r.startsWith(`POST ${apiUrl}/v1/t`))).toBe(true);
        expect(requests.every((r) => r.startsWith("GET http://127.0.0.1") || r.includes("127.0.0.1"))).toBe(
          true,
        );
        expectFilled(await callsOf(["br-1"]), ["identify", "track", "page", "group", "alias"]);
        const profile = await profileOf("br-1");
        expect(profile.t).toMatchObject({ email: "br-1@example.com" });
        expect(profile.x?.["Clicked Banner"]).toBe(1);
        expectViewsGroupsAliases(profile, "br-anon-1", false);
        // ...and a wrong key: the settings answer 401, the library fails to load and says so
        expect(await run(`tk_${"B".repeat(43)}`)).toMatch(/^failed/);
      } finally {
        await browser?.close();
        await new Promise<void>((resolve) => site.close(() => resolve()));
      }
    },
  );
});
