import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { dryRunCampaign } from "#shared/app/dry-run/dry-run-campaign.js";
import { dryRunChange } from "#shared/app/dry-run/dry-run-change.js";
import { reasonKind } from "#shared/app/dry-run/dry-run-session.js";
import {
  buildCampaignLibrary,
  type CampaignDefinition,
  type CampaignLibrary,
  intentsForSchedule,
} from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { buildLibrary } from "#shared/domain/segments/library.js";
import type { ScanSlice, StoredProfile } from "#shared/ports.js";
import { campaign, customer, HOUR, harness, T0 } from "../dispatch/harness.js";
import { InMemorySegmentMemberIndex, PagedProfiles } from "../fakes/in-memory-fanout.js";
import { definition } from "../segments/helpers.js";

const weekly = (raw: Record<string, unknown> = {}) =>
  campaign({
    id: "weekly",
    trigger: { schedule: "cron(0 12 ? * MON *)", audience: "vip" },
    steps: [{ template: "welcome" }, { delay: "2d", template: "welcome" }],
    policy: { frequencyCap: { max: 1, per: "7d" } },
    ...raw,
  });

const vip = (profile: Profile): Profile => ({ ...profile, sg: { vip: { e: T0 - HOUR, v: 1 } } });

/**
 * Seven customers: four reachable VIPs (one of them already mailed this week), a VIP without consent, a VIP
 * who unsubscribed, and one reachable customer outside the audience.
 */
function world(campaigns: readonly CampaignDefinition[]) {
  const withoutConsent: Profile = { ...vip(customer("c-5")), c: {} };
  const unsubscribed: Profile = { ...vip(customer("c-6")), s: { unsubscribe: { r: "link", at: T0 - HOUR } } };
  const profiles = [
    ...["c-1", "c-2", "c-3", "c-4"].map((id) => vip(customer(id))),
    withoutConsent,
    unsubscribed,
    customer("c-7"),
  ];
  const world = harness([], profiles);
  const library = buildCampaignLibrary(campaigns, {
    templates: new Map(world.deps.renderer.templates().map((t) => [t.name, t.variants])),
    segmentIds: new Set(["vip", "big"]),
  });
  const deps = { ...world.deps, library };
  const source = {
    async *scan(slice: ScanSlice): AsyncIterable<StoredProfile> {
      for (const [index, profile] of profiles.entries()) {
        if (index % slice.totalSegments === slice.segment) yield { profile, itemBytes: 100 };
      }
    },
  };
  return { ...world, deps, library, profiles, scan: new PagedProfiles(source, profiles.length) };
}

/** c-4 was sent another campaign yesterday: the weekly cap of 1 skips it. */
async function mailedYesterday(ledger: ReturnType<typeof harness>["ledger"]) {
  await ledger.record({
    key: "other|c-4|x|0",
    customerId: "c-4",
    campaignId: "other",
    purpose: "marketing",
    priority: 0,
    at: T0 - 24 * HOUR,
    outcome: "sent",
    variant: "a",
  });
}

/** The queue messages of the weekly tick at T0 due now, as the fan-out would enqueue them. */
function dueIntents(library: CampaignLibrary, members: readonly string[]) {
  const weeklyNow = library.byId.get("weekly");
  if (weeklyNow === undefined) throw new Error("no weekly campaign");
  return intentsForSchedule(weeklyNow, members, T0)
    .filter((intent) => intent.dueAt <= T0)
    .map((intent) => ({ messageId: intent.key, body: JSON.stringify(intent) }));
}

describe("dryRunCampaign", () => {
  it("counts who would receive what and why not, writes nothing, and agrees with the real dispatch after it", async () => {
    // Prepare
    const { deps, ledger, mailer, sendTimers, scan, library } = world([weekly()]);
    await mailedYesterday(ledger);
    const logBefore = ledger.log.length;

    // Act
    const report = await dryRunCampaign(
      { dispatch: deps, profiles: scan, segmentLibrary: buildLibrary([]) },
      { campaignId: "weekly", at: T0, sample: 2, parts: 2, pageSize: 2 },
    );

    // Assess: the counts
    expect(report).toMatchObject({
      source: "scan",
      segmentId: "vip",
      read: 7,
      members: 6,
      decided: 6,
      later: 6,
      wouldSend: 3,
      byVariant: { a: 3 },
      heldOut: 0,
      alreadySettled: 0,
    });
    expect(report.skipped).toEqual({
      "capped: 1 marketing email in 7 days": 1,
      "no consent: marketing_email not granted": 1,
      "suppressed: unsubscribed": 1,
    });
    expect(report.samples).toHaveLength(2);
    expect(report.samples[0]?.subject).toBe("Welcome to the shop");
    expect(report.samples[0]?.html).toContain("Hello");
    expect(report.samples[0]?.text).toContain("Hello");
    // Assess: nothing written or sent
    expect(ledger.log).toHaveLength(logBefore);
    expect(ledger.claims.size).toBe(1);
    expect(mailer.sent).toHaveLength(0);
    expect(sendTimers.timers.size).toBe(0);

    // Act: the real dispatch of the same tick's intents due now
    const real = await dispatchSends(deps, dueIntents(library, ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6"]));

    // Assess: the same numbers
    expect(real.summary.sent).toBe(report.wouldSend);
    expect(real.summary.skipped).toBe(3);
    expect(mailer.sent.map((email) => email.customerId).sort()).toEqual(["c-1", "c-2", "c-3"]);

    // Act: a dry run of the tick that ran (the same minute)
    const again = await dryRunCampaign(
      { dispatch: deps, profiles: scan },
      { campaignId: "weekly", at: T0 + 30_000, sample: 2 },
    );

    // Assess: every intent is settled already
    expect(again.alreadySettled).toBe(6);
    expect(again.wouldSend).toBe(0);
  });

  it("reads the membership index when the fan-out would, and counts quiet hours by reason", async () => {
    // Prepare: quiet hours over noon UTC
    const { deps, scan } = world([
      weekly({ policy: { quietHours: { start: "11:00", end: "13:00", defaultTimeZone: "UTC" } } }),
    ]);
    const index = new InMemorySegmentMemberIndex(new Map([["vip", ["c-1", "c-2", "c-3", "c-4"]]]));

    // Act
    const report = await dryRunCampaign(
      {
        dispatch: deps,
        profiles: scan,
        memberIndex: index,
        memberIndexStatus: { rebuiltAt: async () => T0 - HOUR },
        segmentLibrary: buildLibrary([
          definition({ id: "vip", name: "VIP", rule: { cluster: { in: [0] } } }),
        ]),
      },
      { campaignId: "weekly", at: T0 },
    );

    // Assess
    expect(report.source).toBe("index");
    expect(index.reads.length).toBeGreaterThan(0);
    expect(scan.pagesRead).toBe(0);
    expect(report.members).toBe(4);
    expect(report.deferred).toEqual({ "quiet hours": 4 });
    expect(report.wouldSend).toBe(0);
  });

  it("splits the audience between the holdout and the variants as dispatch does", async () => {
    // Prepare: a 50 % holdout and two variants
    const { deps, scan, mailer } = world([
      weekly({
        holdout: 0.5,
        steps: [{ template: "welcome", variants: [{ id: "a" }, { id: "b", subject: "Hello there" }] }],
      }),
    ]);

    // Act
    const report = await dryRunCampaign({ dispatch: deps, profiles: scan }, { campaignId: "weekly", at: T0 });
    const real = await dispatchSends(deps, dueIntents(deps.library, ["c-1", "c-2", "c-3", "c-4"]));

    // Assess: the same split
    expect(report.heldOut + report.wouldSend).toBe(4);
    expect(real.summary.heldOut).toBe(report.heldOut);
    const byVariant: Record<string, number> = {};
    for (const email of mailer.sent) byVariant[email.variant] = (byVariant[email.variant] ?? 0) + 1;
    expect(byVariant).toEqual(report.byVariant);
  });
});

describe("a bounded dry run", () => {
  it("stops at its read limit or its deadline and says its counts are a sample", async () => {
    // Prepare
    const { deps, scan } = world([weekly()]);
    let clock = T0;

    // Act
    const whole = await dryRunCampaign({ dispatch: deps, profiles: scan }, { campaignId: "weekly", at: T0 });
    const limited = await dryRunCampaign(
      { dispatch: deps, profiles: scan },
      { campaignId: "weekly", at: T0, parts: 1, pageSize: 2, maxRead: 3 },
    );
    const timed = await dryRunCampaign(
      { dispatch: deps, profiles: scan },
      {
        campaignId: "weekly",
        at: T0,
        parts: 1,
        pageSize: 2,
        // Each look at the time moves it by a second: the second page starts past the deadline.
        deadline: { at: T0 + 1_500, now: () => (clock += 1_000) },
      },
    );

    // Assess
    expect(whole).toMatchObject({ complete: true, read: 7 });
    expect(whole).not.toHaveProperty("stoppedBy");
    expect(limited).toMatchObject({ complete: false, stoppedBy: "read limit", read: 3 });
    expect(timed).toMatchObject({ complete: false, stoppedBy: "time budget", read: 2 });
  });
});

describe("dryRunChange", () => {
  it("a proposed segment that drops some members and adds others: entering and leaving counted", async () => {
    // Prepare: the proposed vip holds c-1 and c-7 only
    const { deps, scan, ledger, mailer } = world([weekly()]);
    const proposedSegments = buildLibrary([
      definition({
        id: "vip",
        name: "VIP",
        rule: { trait: { path: "email", in: ["c-1@example.com", "c-7@example.com"] } },
      }),
    ]);

    // Act
    const report = await dryRunChange(
      { dispatch: deps, profiles: scan },
      { segments: proposedSegments },
      { campaignId: "weekly", at: T0, sample: 5 },
    );

    // Assess: c-7 enters; c-2, c-3, c-4 leave (c-5 and c-6 receive nothing either way)
    expect(report.current.wouldSend).toBe(4);
    expect(report.proposed.members).toBe(2);
    expect(report.proposed.wouldSend).toBe(2);
    expect(report.entering).toEqual({ count: 1, sample: ["c-7"] });
    expect(report.leaving.count).toBe(3);
    expect([...report.leaving.sample].sort()).toEqual(["c-2", "c-3", "c-4"]);
    expect(ledger.log).toHaveLength(0);
    expect(mailer.sent).toHaveLength(0);
  });

  it("reasons group without what is particular to a customer", () => {
    expect(reasonKind("quiet hours until 08:00 Europe/Paris")).toBe("quiet hours");
    expect(reasonKind("no email address (waited 2d)")).toBe("no email address");
  });
});
