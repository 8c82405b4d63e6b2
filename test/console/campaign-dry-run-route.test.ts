import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_GROUP, adminAccessRefusal, VIEWER_GROUP } from "#shared/app/api/admin-access.js";
import type { ApiRequest } from "#shared/app/api/api-http.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import type { ConsoleDryRunDeps } from "#shared/app/console/console-deps.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { harness } from "../api/api-harness.js";
import { consoleFakes, repositoryTemplates } from "./console-fakes.js";

/** Monday 2026-12-07 09:00 UTC: the newsletter's tick, outside its quiet hours. */
const NOW = Date.UTC(2026, 11, 7, 9);
const DAY = 24 * 60 * 60 * 1000;

function request(path: string, body = "", caller = "alice@example.com"): ApiRequest {
  return {
    method: "POST",
    path,
    query: new URLSearchParams(),
    headers: {},
    body: new TextEncoder().encode(body),
    caller,
  };
}

/** An engaged customer (in the newsletter's audience) who may be mailed, or one who withdrew consent. */
function engaged(id: string, consent = true): Profile {
  return {
    ...emptyProfile(id, NOW - 30 * DAY),
    version: 2,
    t: { first_name: "Ada", email: `${id}@example.com` },
    c: { marketing_email: { g: consent, at: NOW - 20 * DAY } },
    sg: { "high-engagement": { e: NOW - 10 * DAY, v: 1 } },
  };
}

async function setup(dryRun?: Partial<ConsoleDryRunDeps>) {
  const fakes = await consoleFakes(NOW);
  for (const profile of [
    engaged("c-1"),
    engaged("c-2"),
    engaged("c-3"),
    engaged("c-4", false),
    emptyProfile("c-5", NOW),
  ]) {
    fakes.profiles.items.set(profile.customerId, { profile, itemBytes: 100 });
  }
  const deps = {
    ...harness().deps,
    console: {
      ...fakes.deps,
      dryRun: { audience: { profiles: fakes.sample }, shop: PREVIEW_SHOP, ...dryRun },
    },
  };
  const call = async (path: string, body = "") => {
    const response = await routeApiRequest(deps, request(path, body));
    return { status: response.status, json: JSON.parse(response.body) };
  };
  return { ...fakes, call };
}

beforeAll(async () => {
  await repositoryTemplates();
}, 60_000);

describe("POST /v1/admin/campaigns/{id}/dry-run", () => {
  it("answers the counts by variant and skip reason, and a few subjects, writing nothing but the audit", async () => {
    // Prepare
    const { call, ledger, audit } = await setup();

    // Act
    const response = await call("/v1/admin/campaigns/newsletter/dry-run", '{"at": "2026-12-07T09:00:00Z"}');

    // Assess: who would receive it and why not
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      campaignId: "newsletter",
      occurrence: "2026-12-07T09:00:00.000Z",
      segmentId: "high-engagement",
      source: "scan",
      complete: true,
      read: 5,
      members: 4,
      wouldSend: 3,
      skipped: { "no consent: marketing_email withdrawn": 1 },
    });
    const variants = response.json.byVariant;
    expect(Object.values(variants).reduce((a: number, b) => a + Number(b), 0)).toBe(3);
    // Assess: subjects only, no body and no address
    expect(response.json.samples).toHaveLength(3);
    for (const sample of response.json.samples) {
      expect(Object.keys(sample).sort()).toEqual(["customerId", "subject", "variant"]);
      expect(sample.subject.length).toBeGreaterThan(0);
    }
    expect(JSON.stringify(response.json)).not.toContain("@example.com");
    // Assess: nothing written to the ledger; each customer shown is audited with the operator and the campaign
    expect(ledger.log).toHaveLength(0);
    expect(audit.entries.map((entry) => entry.customerHash).sort()).toEqual(
      ["c-1", "c-2", "c-3"].map(customerHash).sort(),
    );
    expect(audit.entries[0]).toMatchObject({
      action: "customer.viewed",
      actor: "console:alice@example.com",
      details: { what: "campaign newsletter dry run" },
    });
  });

  it("a large audience is read up to its bound and said to be a sample", async () => {
    // Prepare
    const { call } = await setup({ maxRead: 2 });

    // Act
    const response = await call("/v1/admin/campaigns/newsletter/dry-run");

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ complete: false, stoppedBy: "read limit", read: 2 });
  });

  it("refuses an unknown campaign, one without a schedule, and a time that is not one", async () => {
    // Prepare
    const { call, deps } = await setup();
    const triggered = deps.campaignLibrary().campaigns.find((c) => c.trigger.kind === "event")?.id ?? "none";

    // Act
    const unknown = await call("/v1/admin/campaigns/nope/dry-run");
    const unscheduled = await call(`/v1/admin/campaigns/${triggered}/dry-run`);
    const badTime = await call("/v1/admin/campaigns/newsletter/dry-run", '{"at": "Monday"}');
    const notJson = await call("/v1/admin/campaigns/newsletter/dry-run", "at=now");

    // Assess
    expect(unknown.status).toBe(404);
    expect(unscheduled.status).toBe(422);
    expect(unscheduled.json.errors[0].message).toContain("only a scheduled campaign has a tick");
    expect(badTime.status).toBe(400);
    expect(badTime.json.errors[0].message).toMatch(/^at: an ISO time/);
    expect(notJson.status).toBe(400);
    expect(notJson.json.errors[0].message).toMatch(/^body: /);
  });

  it("on AWS, is for the console's admins: a viewer is refused (it reads many customers at once)", () => {
    // Prepare
    const call = request("/v1/admin/campaigns/newsletter/dry-run");

    // Act
    const viewer = adminAccessRefusal({ ...call, callerGroups: [VIEWER_GROUP] });
    const admin = adminAccessRefusal({ ...call, callerGroups: [ADMIN_GROUP] });

    // Assess
    expect(viewer?.status).toBe(403);
    expect(admin).toBeUndefined();
  });
});
