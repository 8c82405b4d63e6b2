import { beforeAll, describe, expect, it } from "vitest";
import type { ApiRequest } from "#shared/app/api/api-http.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { harness } from "../api/api-harness.js";
import { consoleFakes, repositoryTemplates } from "./console-fakes.js";

const NOW = Date.UTC(2026, 11, 6, 12);
const DAY = 24 * 60 * 60 * 1000;

function request(method: string, pathAndQuery: string, body = "", caller?: string): ApiRequest {
  const [path = "", query = ""] = pathAndQuery.split("?");
  return {
    method,
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: new TextEncoder().encode(body),
    ...(caller === undefined ? {} : { caller }),
  };
}

async function setup() {
  const fakes = await consoleFakes(NOW);
  const api = harness();
  const deps = { ...api.deps, console: fakes.deps };
  const call = async (method: string, path: string, body = "", caller?: string) => {
    const response = await routeApiRequest(deps, request(method, path, body, caller));
    return { status: response.status, json: JSON.parse(response.body) };
  };
  const put = (profile: Profile) => fakes.profiles.items.set(profile.customerId, { profile, itemBytes: 100 });
  return { ...fakes, call, put, api };
}

/** A customer with a name, an email and a cart added an hour ago (a cart abandoner). */
function shopper(id: string): Profile {
  const profile = emptyProfile(id, NOW - 10 * DAY);
  return {
    ...profile,
    version: 3,
    t: { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" },
  };
}

beforeAll(async () => {
  // Compiling the repository's templates takes a few seconds: once for the file.
  await repositoryTemplates();
}, 60_000);

describe("console customer routes", () => {
  it("finds a customer by its id, by an id merged into it and by its email (any case), never by a typo", async () => {
    // Prepare
    const { call, put, profiles } = await setup();
    put(shopper("cust-1"));
    await profiles.retire("anon-9", undefined, "cust-1", NOW, {
      i: "anon-9",
      h: "identify",
      at: NOW,
      m: "m1",
      v: 0,
    });
    await profiles.claimEmail("ada@example.com", { id: "cust-1", known: true });
    // Act
    const byId = await call("GET", "/v1/admin/customers?q=cust-1");
    const byMerged = await call("GET", "/v1/admin/customers?q=anon-9");
    const byEmail = await call("GET", `/v1/admin/customers?q=${encodeURIComponent("  ADA@Example.com ")}`);
    const typo = await call("GET", "/v1/admin/customers?q=cust-2");
    const blank = await call("GET", "/v1/admin/customers?q=%20");
    // Assess
    expect(byId).toEqual({ status: 200, json: { customerId: "cust-1", matchedBy: "customer id" } });
    expect(byMerged).toEqual({ status: 200, json: { customerId: "cust-1", matchedBy: "merged id" } });
    expect(byEmail).toEqual({ status: 200, json: { customerId: "cust-1", matchedBy: "email" } });
    expect(typo.status).toBe(404);
    expect(typo.json.errors[0].message).toContain("cust-2");
    expect(blank.status).toBe(400);
    expect(blank.json.errors[0].message).toMatch(/^q: /);
  });

  it("shows the customer in words with every segment's verdict, its sends, and audits the read", async () => {
    // Prepare
    const { call, put, ledger, audit } = await setup();
    put(shopper("cust-1"));
    await ledger.record({
      key: "welcome#cust-1#0#1",
      customerId: "cust-1",
      campaignId: "welcome",
      purpose: "marketing",
      priority: 1,
      at: NOW - DAY,
      outcome: "skipped",
      reason: "capped: 3 marketing emails in 7 days",
    });
    // Act
    const response = await call("GET", "/v1/admin/customers/cust-1", "", "alice@example.com");
    // Assess
    expect(response.status).toBe(200);
    expect(response.json.profile.headline).toContain("Ada Lovelace <ada@example.com>");
    const labels = response.json.profile.rows.map((row: [string, string]) => row[0]);
    expect(labels).toEqual(expect.arrayContaining(["lifecycle", "orders", "cart", "consent"]));
    // Every segment of the library, each with its reason tree as text.
    expect(response.json.segments.length).toBeGreaterThan(5);
    const adults = response.json.segments.find((s: { segmentId: string }) => s.segmentId === "adults-25-34");
    expect(adults).toMatchObject({ member: false });
    expect(adults.text).toMatch(/age/);
    expect(response.json.sends).toEqual([
      expect.objectContaining({
        campaignId: "welcome",
        step: 2,
        outcome: "skipped",
        reason: expect.stringMatching(/^capped/),
      }),
    ]);
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: "customer.viewed",
        actor: "console:alice@example.com",
        customerHash: customerHash("cust-1"),
      }),
    ]);
  });

  it("answers 404 for an unknown customer and audits nothing", async () => {
    const { call, audit } = await setup();
    const response = await call("GET", "/v1/admin/customers/nobody");
    expect(response.status).toBe(404);
    expect(audit.entries).toEqual([]);
  });

  it("erases and exports through the console's paths, with the console's actor", async () => {
    // Prepare
    const { api, put, deps, audit } = await setup();
    put(shopper("cust-1"));
    const { privacyFakes } = await import("../privacy/privacy-fakes.js");
    const privacy = privacyFakes(NOW);
    privacy.profiles.items.set("cust-1", { profile: shopper("cust-1"), itemBytes: 100 });
    const all = { ...api.deps, console: deps, privacy: privacy.deps };
    // Act
    const exported = await routeApiRequest(all, request("GET", "/v1/admin/customers/cust-1/export"));
    const erased = await routeApiRequest(all, request("DELETE", "/v1/admin/customers/cust-1"));
    // Assess
    expect(exported.status).toBe(200);
    expect(erased.status).toBe(200);
    expect(privacy.profiles.items.has("cust-1")).toBe(false);
    expect(privacy.audit.entries.map((entry) => [entry.action, entry.actor])).toEqual(
      expect.arrayContaining([
        ["customer.exported", "api:console:local"],
        ["customer.erased", "api:console:local"],
      ]),
    );
    expect(audit.entries).toEqual([]);
  });

  it("answers 404 on every console route when the API has no console", async () => {
    const { api } = await setup();
    for (const path of [
      "/v1/admin/customers?q=x",
      "/v1/admin/segments",
      "/v1/admin/templates",
      "/v1/admin/campaigns",
    ]) {
      const response = await routeApiRequest(api.deps, request("GET", path));
      expect(response.status, path).toBe(404);
    }
    const wrongMethod = await routeApiRequest(api.deps, request("PUT", "/v1/admin/segments"));
    expect(wrongMethod.status).toBe(405);
  });
});

describe("console segment routes", () => {
  it("lists every segment with its size and its daily sizes of the last 90 days, oldest first", async () => {
    // Prepare
    const { call, segments, sizeHistory } = await setup();
    await segments.putExactSizes(new Map([["champions", 12]]), NOW - 1000);
    await sizeHistory.record("2026-12-05", new Map([["champions", 10]]));
    await sizeHistory.record("2026-12-06", new Map([["champions", 12]]));
    await sizeHistory.record("2026-08-01", new Map([["champions", 3]]));
    // Act
    const list = await call("GET", "/v1/admin/segments");
    const one = await call("GET", "/v1/admin/segments/champions");
    const unknown = await call("GET", "/v1/admin/segments/nope");
    // Assess
    const champions = list.json.segments.find((s: { id: string }) => s.id === "champions");
    expect(champions).toMatchObject({
      size: 12,
      history: [
        { day: "2026-12-05", size: 10 },
        { day: "2026-12-06", size: 12 },
      ],
    });
    expect(one.json).toMatchObject({ id: "champions", changeToday: 2, definition: { id: "champions" } });
    expect(unknown.status).toBe(404);
  });

  it("previews a definition: the build's problems with line and rule, or its size estimated on a bounded sample", async () => {
    // Prepare: 500 profiles, a third of them aged 30.
    const { call, put, sample } = await setup();
    for (let i = 0; i < 500; i++) {
      const profile = emptyProfile(`c${String(i).padStart(3, "0")}`, NOW);
      put(i % 3 === 0 ? { ...profile, t: { birthday: "1996-01-15" } } : profile);
    }
    // Act
    const invalid = await call(
      "POST",
      "/v1/admin/segment-preview",
      "id: x\nname: X\nversion: 1\nrule:\n  age: { gte: -3 }\n",
    );
    const broken = await call("POST", "/v1/admin/segment-preview", "id: [unclosed\n");
    const valid = await call(
      "POST",
      "/v1/admin/segment-preview",
      "id: thirties\nname: Thirties\nversion: 1\nrule:\n  age: { gte: 30, lte: 39 }\n",
    );
    // Assess
    expect(invalid.status).toBe(422);
    expect(invalid.json.problems[0]).toMatchObject({
      file: "preview.yaml",
      line: 5,
      path: expect.stringContaining("age"),
    });
    expect(broken.json.problems[0]).toMatchObject({ rule: "yaml", line: expect.any(Number) });
    expect(valid.status).toBe(200);
    expect(valid.json).toMatchObject({ ok: true, id: "thirties", estimate: true });
    // One page of at most 200 profiles read, whatever the table holds.
    expect(valid.json.sampled).toBeLessThanOrEqual(200);
    expect(sample.pagesRead).toBe(1);
    expect(valid.json.members).toBeGreaterThan(0);
    expect(valid.json.sampleMembers.length).toBeLessThanOrEqual(10);
  });

  it("refuses a definition naming a segment the library does not hold, as the build does", async () => {
    const { call } = await setup();
    const response = await call(
      "POST",
      "/v1/admin/segment-preview",
      "id: sub\nname: Sub\nversion: 1\nrule:\n  inSegment: no-such-segment\n",
    );
    expect(response.status).toBe(422);
    expect(response.json.problems.map((p: { message: string }) => p.message).join(" ")).toContain(
      "no-such-segment",
    );
  });
});

describe("console template routes", () => {
  it("lists templates with variants, locales and samples, and renders one for a sample and for a customer", async () => {
    // Prepare
    const { call, put, audit, samples } = await setup();
    put(shopper("cust-1"));
    // Act
    const list = await call("GET", "/v1/admin/templates");
    const template = list.json.templates[0].name;
    const forSample = await call(
      "GET",
      `/v1/admin/templates/${template}/preview?variant=a&sample=${samples[0]?.name}`,
    );
    const forCustomer = await call("GET", `/v1/admin/templates/${template}/preview?customer=cust-1`);
    const noVariant = await call("GET", `/v1/admin/templates/${template}/preview?variant=zz&customer=cust-1`);
    const both = await call("GET", `/v1/admin/templates/${template}/preview?customer=cust-1&sample=x`);
    // Assess
    expect(list.json.locales.length).toBeGreaterThan(1);
    expect(list.json.samples.length).toBe(samples.length);
    expect(forSample.status).toBe(200);
    expect(forSample.json.html).toMatch(/<html/i);
    expect(forSample.json.text.length).toBeGreaterThan(0);
    expect(forCustomer.status).toBe(200);
    expect(noVariant.status).toBe(404);
    expect(noVariant.json.errors[0].message).toContain("variants:");
    expect(both.status).toBe(400);
    // The customer's preview is a read of its data: audited; the sample's is not.
    expect(audit.entries.map((entry) => entry.details.what)).toEqual([`template ${template} preview`]);
  });

  it("renders in the locale asked for", async () => {
    const { call, samples } = await setup();
    const list = await call("GET", "/v1/admin/templates");
    const template = list.json.templates[0].name;
    const locale = list.json.locales.find((l: string) => l.startsWith("fr")) ?? list.json.locales[1];
    const response = await call(
      "GET",
      `/v1/admin/templates/${template}/preview?sample=${samples[0]?.name}&locale=${locale}`,
    );
    expect(response.status).toBe(200);
    expect(response.json.locale).toBe(locale);
    expect(response.json.html).toContain(`lang="${locale.split("-")[0]}`);
    const bad = await call(
      "GET",
      `/v1/admin/templates/${template}/preview?sample=x&locale=${encodeURIComponent("<script>")}`,
    );
    expect(bad.status).toBe(400);
  });

  it("reloads the templates when their version changes, and only then", async () => {
    // Prepare
    const { call, templates, samples } = await setup();
    const list = await call("GET", "/v1/admin/templates");
    const template = list.json.templates[0].name;
    const path = `/v1/admin/templates/${template}/preview?sample=${samples[0]?.name}`;
    await call("GET", path);
    const loadsBefore = templates.loads;
    // Act: the same version, then an edit (the subject changed in the compiled JSON).
    await call("GET", path);
    const unchanged = templates.loads;
    const original: { subject: string } = (await call("GET", path)).json;
    templates.json = templates.json.replaceAll(original.subject, "Edited subject line");
    templates.current = "v2";
    const version = await call("GET", "/v1/admin/templates-version");
    const after = await call("GET", path);
    // Assess
    expect(unchanged).toBe(loadsBefore);
    expect(version.json).toEqual({ version: "v2" });
    expect(after.json).toMatchObject({ version: "v2", subject: "Edited subject line" });
  });
});

describe("console segment changes", () => {
  it("lists who entered and left a segment on a day, newest first, leaving out erased customers", async () => {
    // Prepare: today is 2026-12-06; c-gone's profile was erased after it entered.
    const { call, changes, put } = await setup();
    const change = (customerId: string, kind: "entered" | "exited", at: number) =>
      changes.record({
        id: `${customerId}#champions#${kind}#${at}`,
        customerId,
        segmentId: "champions",
        kind,
        at,
        version: 1,
      });
    for (const id of ["c-1", "c-2", "c-3"]) put(shopper(id));
    await change("c-1", "entered", NOW - 3000);
    await change("c-2", "entered", NOW - 1000);
    await change("c-gone", "entered", NOW - 2000);
    await change("c-3", "exited", NOW - 500);
    await change("c-1", "entered", NOW - DAY);
    // Act
    const today = await call("GET", "/v1/admin/segments/champions/changes");
    const yesterday = await call("GET", "/v1/admin/segments/champions/changes?day=2026-12-05");
    const bad = await call("GET", "/v1/admin/segments/champions/changes?day=06/12/2026");
    const unknown = await call("GET", "/v1/admin/segments/nope/changes");
    // Assess
    expect(today.json).toEqual({
      segmentId: "champions",
      day: "2026-12-06",
      entered: 3,
      exited: 1,
      recentEntered: [
        { customerId: "c-2", at: NOW - 1000 },
        { customerId: "c-1", at: NOW - 3000 },
      ],
      recentExited: [{ customerId: "c-3", at: NOW - 500 }],
      dropped: 1,
    });
    expect(yesterday.json).toMatchObject({ entered: 1, exited: 0, recentEntered: [{ customerId: "c-1" }] });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].message).toMatch(/^day: .*YYYY-MM-DD/);
    expect(unknown.status).toBe(404);
  });
});

describe("console campaign routes", () => {
  it("lists campaigns with their trigger and steps, and shows one with its counters read once", async () => {
    const { call, totals } = await setup();
    const list = await call("GET", "/v1/admin/campaigns");
    const first = list.json.campaigns[0];
    const one = await call("GET", `/v1/admin/campaigns/${first.id}`);
    const unknown = await call("GET", "/v1/admin/campaigns/nope");
    expect(first).toMatchObject({ id: expect.any(String), trigger: { kind: expect.any(String) } });
    expect(first.steps).toBeGreaterThan(0);
    expect(one.json).toMatchObject({ definition: { id: first.id }, report: null });
    expect(totals).toEqual([first.id]);
    expect(unknown.status).toBe(404);
  });

  it("draws a campaign's decisions per day: every day of the span, skips by their top reasons", async () => {
    // Prepare: today is 2026-12-06; a day before the 3-day span (in the 30-day one), two in it, seven skip reasons.
    const { call, outcomes, deps } = await setup();
    const id = deps.campaignLibrary().campaigns[0]?.id ?? "none";
    for (const key of ["sent", "sent", "holdout", "skipped:quiet hours", "skipped:quiet hours"]) {
      await outcomes.add(id, "2026-12-06", key);
    }
    for (let i = 0; i < 7; i++) await outcomes.add(id, "2026-12-04", `skipped:reason ${i}`);
    await outcomes.add(id, "2026-12-04", "skipped:reason 0");
    await outcomes.add(id, "2026-11-10", "sent");
    // Act
    const chart = await call("GET", `/v1/admin/campaigns/${id}/outcomes?days=3`);
    const defaults = await call("GET", `/v1/admin/campaigns/${id}/outcomes`);
    const bad = await call("GET", `/v1/admin/campaigns/${id}/outcomes?days=0`);
    const huge = await call("GET", `/v1/admin/campaigns/${id}/outcomes?days=401`);
    const unknown = await call("GET", "/v1/admin/campaigns/nope/outcomes");
    // Assess
    expect(chart.status).toBe(200);
    expect(chart.json.days).toEqual(["2026-12-04", "2026-12-05", "2026-12-06"]);
    const byKey = new Map<string, { counts: number[]; label: string }>(
      chart.json.series.map((line: { key: string; counts: number[]; label: string }) => [line.key, line]),
    );
    expect(byKey.get("sent")?.counts).toEqual([0, 0, 2]);
    expect(byKey.get("holdout")).toMatchObject({ counts: [0, 0, 1], label: "held out" });
    expect(byKey.get("skipped:reason 0")?.counts).toEqual([2, 0, 0]);
    expect(byKey.get("skipped:quiet hours")).toMatchObject({
      counts: [0, 0, 2],
      label: "skipped: quiet hours",
    });
    // Five reasons drawn (the two most frequent, then by name), the other three summed.
    expect([...byKey.keys()].filter((key) => key.startsWith("skipped:"))).toHaveLength(6);
    expect(byKey.get("skipped:*")).toMatchObject({ counts: [3, 0, 0], label: "skipped: 3 other reasons" });
    expect(defaults.json.days).toHaveLength(30);
    expect(defaults.json.series[0]).toMatchObject({ key: "sent", total: 3 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].message).toMatch(/^days: .*1 to 400/);
    expect(huge.status).toBe(400);
    expect(unknown.status).toBe(404);
  });
});
