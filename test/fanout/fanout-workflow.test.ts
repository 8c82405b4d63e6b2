import { describe, expect, it } from "vitest";
import {
  type FanOutPartDeps,
  type FanOutPartInput,
  type FanOutPartOptions,
  type FanOutPlan,
  fanOutPart,
  finishFanOut,
  planFanOut,
} from "#shared/app/fanout/index.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import type { FanOutRuns } from "#shared/ports.js";
import { ManualClock, T0 } from "../app/segment-harness.js";
import { campaign, library } from "../campaigns/helpers.js";
import { InMemoryFanOutRuns, InMemorySegmentMemberIndex, PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemorySegmentStore } from "../fakes/in-memory-segments.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";

const newsletter = campaign({
  id: "newsletter",
  trigger: { schedule: "cron(0 9 ? * MON *)", audience: "vip" },
  steps: [{ template: "newsletter" }],
});
const TICK = { campaignId: "newsletter", time: "2026-11-23T09:00:27Z" };
const OCCURRENCE = "2026-11-23T09:00:00.000Z";

function member(customerId: string, vip: boolean): Profile {
  const profile = emptyProfile(customerId, T0);
  return vip ? { ...profile, sg: { vip: { e: T0 - 1000, v: 1 } } } : profile;
}

/** A table of `count` profiles, every third one in `vip`; resolves the fakes wired as the functions wire theirs. */
async function world(count: number, options: { index?: boolean } = {}) {
  const store = new InMemoryProfileStore();
  const vips: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `c-${String(i).padStart(4, "0")}`;
    if (i % 3 === 0) vips.push(id);
    await store.put(member(id, i % 3 === 0), undefined);
  }
  const profiles = new PagedProfiles(store, count);
  const queue = new InMemorySendQueue();
  const runs = new InMemoryFanOutRuns();
  const segments = new InMemorySegmentStore();
  segments.counters.set("vip", vips.length);
  const memberIndex =
    options.index === true ? new InMemorySegmentMemberIndex(new Map([["vip", vips]])) : undefined;
  const clock = new ManualClock(T0);
  const deps = {
    library: library(newsletter),
    profiles,
    segments,
    runs,
    clock,
    sends: { queue, timers: new InMemorySendTimers() },
    ...(memberIndex === undefined ? {} : { memberIndex }),
  };
  return { deps, vips, queue, runs, profiles, memberIndex, store };
}

/** What the state machine does with a part: invoke, retry a failed invocation, loop until done. */
async function drivePart(
  deps: FanOutPartDeps,
  input: FanOutPartInput,
  options: FanOutPartOptions,
  retries = 3,
): Promise<number> {
  let invocations = 0;
  let next: FanOutPartInput = input;
  for (let failures = 0; ; ) {
    invocations++;
    try {
      const result = await fanOutPart(deps, next, options);
      if (result.done) return invocations;
      const { done: _d, pages: _p, counts: _c, ...again } = result;
      next = again;
    } catch (error) {
      if (++failures > retries) throw error;
    }
  }
}

function partInputs(plan: FanOutPlan): FanOutPartInput[] {
  return plan.items.map(({ part }) => ({
    campaignId: plan.campaignId,
    occurrence: plan.occurrence,
    source: plan.source,
    segmentId: plan.segmentId,
    part,
    parts: plan.parts,
  }));
}

describe("the campaign fan-out workflow's steps", () => {
  it("plans scan parts from the table's item count and sends each member of the audience once", async () => {
    const { deps, vips, queue, runs, store } = await world(90);

    const plan = await planFanOut(deps, TICK, { profilesPerPart: 20 });
    for (const input of partInputs(plan)) await drivePart(deps, input, { pageSize: 7 });
    const run = await finishFanOut({ runs, clock: deps.clock }, plan);

    expect(plan).toMatchObject({ source: "scan", parts: 5, occurrence: OCCURRENCE, segmentId: "vip" });
    // An item count that lags (0 on a new table) still gets the minimum parts; a huge one at most the maximum.
    const lagging = { ...deps, profiles: new PagedProfiles(store, 0), runs: new InMemoryFanOutRuns() };
    expect((await planFanOut(lagging, TICK)).parts).toBe(4);
    const huge = { ...deps, profiles: new PagedProfiles(store, 10 ** 9), runs: new InMemoryFanOutRuns() };
    expect((await planFanOut(huge, TICK)).parts).toBe(1_000);
    expect(queue.keys().sort()).toEqual(vips.map((id) => `newsletter#${id}#${OCCURRENCE}#0`).sort());
    expect(run).toMatchObject({
      counts: { read: 90, members: vips.length, enqueued: vips.length, timed: 0 },
      partsDone: 5,
      starts: 1,
      finishedAt: T0,
    });
  });

  it("reads a segment's members from the membership index, in parts sized from the segment", async () => {
    const { deps, vips, queue, runs, profiles, memberIndex } = await world(90, { index: true });

    const plan = await planFanOut(deps, TICK, { membersPerPart: 8, profilesPerPart: 1 });
    for (const input of partInputs(plan)) await drivePart(deps, input, { pageSize: 3 });

    expect(plan).toMatchObject({ source: "index", parts: 4 });
    expect(profiles.pagesRead).toBe(0);
    expect(new Set(memberIndex?.reads.map((read) => read.part))).toEqual(new Set([0, 1, 2, 3]));
    expect(queue.keys().sort()).toEqual(vips.map((id) => `newsletter#${id}#${OCCURRENCE}#0`).sort());
    expect((await runs.get(plan))?.counts).toMatchObject({ read: vips.length, members: vips.length });
  });

  it("stops within its time budget and returns the cursor the next invocation goes on from", async () => {
    const { deps, vips, queue } = await world(30);
    const plan = await planFanOut(deps, TICK, { profilesPerPart: 1_000, minParts: 1 });
    const [input] = partInputs(plan);
    if (input === undefined) throw new Error("no part");

    const first = await fanOutPart(deps, input, { pageSize: 4, budgetMs: 0 });
    const invocations = await drivePart(deps, input, { pageSize: 4, budgetMs: 0 });

    expect(first).toMatchObject({ done: false, pages: 1, cursor: "4", counts: { read: 4 } });
    // 30 profiles at 4 a page: 8 pages, the first by the call above; the rest one per invocation.
    expect(invocations).toBe(7);
    expect(new Set(queue.keys()).size).toBe(vips.length);
  });

  it("retries a child that failed after handing a page on: no member is sent twice, nothing counted twice", async () => {
    const { deps, vips, queue, runs } = await world(60);
    let failCheckpoints = 2;
    const flaky: FanOutRuns = {
      ...bind(runs),
      advance: async (key, part, checkpoint) => {
        if (failCheckpoints > 0 && checkpoint.step === 1) {
          failCheckpoints--;
          throw new Error("checkpoint write timed out");
        }
        return runs.advance(key, part, checkpoint);
      },
    };
    const flakyDeps = { ...deps, runs: flaky };

    const plan = await planFanOut(flakyDeps, TICK, { profilesPerPart: 30 });
    for (const input of partInputs(plan)) await drivePart(flakyDeps, input, { pageSize: 5 });
    const run = await runs.get(plan);

    expect(queue.messages.length).toBeGreaterThan(vips.length);
    expect(new Set(queue.keys()).size).toBe(vips.length);
    expect(run).toMatchObject({
      counts: { read: 60, members: vips.length, enqueued: vips.length },
      errorCount: 2,
    });
    expect(run?.errors[0]).toMatch(/part \d: Error: checkpoint write timed out/);
  });

  it("resumes a run stopped halfway from its checkpoints when the same tick is run again", async () => {
    const { deps, vips, queue, runs, store } = await world(60);
    const plan = await planFanOut(deps, TICK, { profilesPerPart: 20, minParts: 1 });
    const [first, second] = partInputs(plan);
    if (first === undefined || second === undefined) throw new Error("no parts");
    await drivePart(deps, first, { pageSize: 4 });
    await fanOutPart(deps, second, { pageSize: 4, budgetMs: 0 });
    const sentBefore = queue.messages.length;

    // The restart plans again (the table grew meanwhile: the first start's plan is kept) and runs every part.
    const again = await planFanOut({ ...deps, profiles: new PagedProfiles(store, 6_000) }, TICK, {
      profilesPerPart: 20,
      minParts: 1,
    });
    for (const input of partInputs(again)) await drivePart(deps, input, { pageSize: 4 });
    const run = await finishFanOut({ runs, clock: deps.clock }, again);

    expect(sentBefore).toBeGreaterThan(0);
    expect(again.parts).toBe(plan.parts);
    expect(queue.keys().sort()).toEqual(vips.map((id) => `newsletter#${id}#${OCCURRENCE}#0`).sort());
    expect(run).toMatchObject({ starts: 2, partsDone: 3, counts: { read: 60, enqueued: vips.length } });
  });

  it("refuses an unknown campaign and a malformed occurrence; records a queue that keeps refusing on the run", async () => {
    const { deps, runs, queue } = await world(3);
    await expect(planFanOut(deps, { campaignId: "nope" })).rejects.toThrow(/no campaign "nope"/);
    const plan = await planFanOut(deps, TICK);
    const [input] = partInputs(plan);
    if (input === undefined) throw new Error("no part");
    await expect(fanOutPart(deps, { ...input, occurrence: "monday" }, {})).rejects.toThrow(/occurrence/);
    queue.failNext = 3;
    await expect(fanOutPart(deps, input, {})).rejects.toThrow(
      /1 send intent\(s\) not accepted after 3 attempts/,
    );
    const run = await runs.get(plan);
    expect(run).toMatchObject({ errorCount: 1, partsDone: 0, counts: { enqueued: 0 } });
    expect(run?.errors[0]).toMatch(/^part 0: ScheduleFanOutError/);
  });
});

/** The fake's methods bound, so a test can replace one. */
function bind(runs: InMemoryFanOutRuns): FanOutRuns {
  return {
    start: (plan) => runs.start(plan),
    part: (key, part) => runs.part(key, part),
    advance: (key, part, checkpoint) => runs.advance(key, part, checkpoint),
    recordError: (key, message) => runs.recordError(key, message),
    finish: (key, at) => runs.finish(key, at),
    get: (key) => runs.get(key),
    latest: (campaignId) => runs.latest(campaignId),
  };
}
