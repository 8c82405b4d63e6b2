import { describe, expect, it } from "vitest";
import { chooseFanOutSource, type FanOutSourceDeps, planFanOut } from "#shared/app/fanout/index.js";
import { buildLibrary } from "#shared/domain/segments/library.js";
import { ManualClock, T0 } from "../app/segment-harness.js";
import { campaign, library } from "../campaigns/helpers.js";
import { InMemoryFanOutRuns, InMemorySegmentMemberIndex, PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemorySegmentStore } from "../fakes/in-memory-segments.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";
import { definition } from "../segments/helpers.js";

const segmentLibrary = buildLibrary([
  definition({ id: "vip", name: "VIP", rule: { cluster: { in: [0, 3] } } }),
  definition({ id: "lapsed", name: "Imported", static: true }),
]);
const index = new InMemorySegmentMemberIndex(new Map([["vip", ["c-1"]]]));
const REBUILT = Date.parse("2026-11-22T02:00:00.000Z");
const rebuilt = { rebuiltAt: async () => REBUILT };
const never = { rebuiltAt: async () => undefined };

describe("where a fan-out reads its audience", () => {
  it("reads the index for an evaluated segment once a reindex has finished", async () => {
    const choice = await chooseFanOutSource(
      { memberIndex: index, memberIndexStatus: rebuilt, segmentLibrary },
      "vip",
    );
    expect(choice).toEqual({
      source: "index",
      reason:
        "segment vip is evaluated and the index was rebuilt by a reindex started 2026-11-22T02:00:00.000Z",
    });
  });

  it.each<[string, FanOutSourceDeps, string, RegExp]>([
    ["no index is wired", { memberIndexStatus: rebuilt, segmentLibrary }, "vip", /no membership index/],
    [
      "the index was never rebuilt",
      { memberIndex: index, memberIndexStatus: never, segmentLibrary },
      "vip",
      /never rebuilt: run `tailor segments reindex`/,
    ],
    ["nothing says whether it was rebuilt", { memberIndex: index, segmentLibrary }, "vip", /never rebuilt/],
    [
      "the audience is a static (imported) segment",
      { memberIndex: index, memberIndexStatus: rebuilt, segmentLibrary },
      "lapsed",
      /segment lapsed is static/,
    ],
    [
      "the segment is not in the library",
      { memberIndex: index, memberIndexStatus: rebuilt, segmentLibrary },
      "gone",
      /segment gone is not in the segment library/,
    ],
    ["no segment library is given", { memberIndex: index, memberIndexStatus: rebuilt }, "vip", /not in/],
  ])("scans when %s, and says so", async (_case, deps, segmentId, reason) => {
    const choice = await chooseFanOutSource(deps, segmentId);
    expect(choice.source).toBe("scan");
    expect(choice.reason).toMatch(reason);
  });

  it("records the source and its reason on the run, also when the parts are forced", async () => {
    const runs = new InMemoryFanOutRuns();
    const base = {
      library: library(
        campaign({ id: "to-vip", trigger: { schedule: "cron(0 9 ? * MON *)", audience: "vip" } }),
        campaign({ id: "to-lapsed", trigger: { schedule: "cron(0 9 ? * MON *)", audience: "lapsed" } }),
      ),
      profiles: new PagedProfiles(new InMemoryProfileStore(), 10),
      segments: new InMemorySegmentStore(),
      runs,
      clock: new ManualClock(T0),
      memberIndex: index,
      memberIndexStatus: rebuilt,
      segmentLibrary,
    };
    const toVip = await planFanOut(base, { campaignId: "to-vip" }, { parts: 2 });
    const toLapsed = await planFanOut(base, { campaignId: "to-lapsed" }, { parts: 2 });
    const before = await planFanOut(
      { ...base, memberIndexStatus: never },
      { campaignId: "to-vip", time: new Date(T0 + 3_600_000).toISOString() },
    );

    expect(await runs.get(toVip)).toMatchObject({
      source: "index",
      parts: 2,
      sourceReason: /rebuilt by a reindex/,
    });
    expect(await runs.get(toLapsed)).toMatchObject({ source: "scan", sourceReason: /is static/ });
    expect(await runs.get(before)).toMatchObject({ source: "scan", sourceReason: /never rebuilt/ });
  });
});
