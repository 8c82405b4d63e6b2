import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { finishSegmentJob, planSegmentJobRun } from "#shared/app/segment-jobs/job-run.js";
import type { MemberIndexStatus, SegmentMemberWriter } from "#shared/ports.js";
import { HOUR, harness, ManualClock, order, T0, viewProduct } from "../app/segment-harness.js";
import { PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemoryJobParts } from "../fakes/in-memory-job-parts.js";
import { driveSegmentJob } from "./segment-job-driver.js";

/** The rebuild marker in memory, with the adapter's contract (the latest start kept). */
class InMemoryIndexStatus implements Pick<MemberIndexStatus, "rebuiltAt" | "markRebuilt"> {
  marker: { startedAt: number; finishedAt: number } | undefined;
  async rebuiltAt(): Promise<number | undefined> {
    return this.marker?.startedAt;
  }
  async markRebuilt(startedAt: number, finishedAt: number): Promise<void> {
    if (this.marker === undefined || this.marker.startedAt <= startedAt)
      this.marker = { startedAt, finishedAt };
  }
}

/** Index entries written, by customer. */
class RecordingWriter implements SegmentMemberWriter {
  readonly entries = new Map<string, ReadonlyMap<string, boolean>>();
  async sync(customerId: string, _version: number, memberships: ReadonlyMap<string, boolean>) {
    this.entries.set(customerId, memberships);
    return memberships.size;
  }
  async erase(): Promise<number> {
    return 0;
  }
}

async function world() {
  const h = harness();
  await ingestBatch(h.ingest(), [
    viewProduct("c-1", T0 - HOUR),
    order("c-2", T0 - 2 * HOUR, 40),
    viewProduct("c-3", T0 - 3 * HOUR),
  ]);
  const batch = h.batch();
  const status = new InMemoryIndexStatus();
  const clock = new ManualClock(T0 + HOUR);
  const deps = {
    ...batch,
    pages: new PagedProfiles(h.profiles, 0),
    parts: new InMemoryJobParts(),
    store: h.store,
    library: batch.segments.library,
    members: new RecordingWriter(),
    indexStatus: status,
    clock,
  };
  return { deps, status, clock };
}

describe("the membership index's rebuild marker", () => {
  it("is written by a reindex run's Finish, with the run's start, once every part is done", async () => {
    // Prepare
    const { deps, status } = await world();

    // Act
    const { report } = await driveSegmentJob(deps, { job: "reindex", parts: 2, pageSize: 1 }, T0);

    // Assess
    expect(report).toMatchObject({ job: "reindex", profiles: 3 });
    expect(deps.members.entries.size).toBeGreaterThan(0);
    expect(status.marker).toEqual({ startedAt: T0, finishedAt: T0 + HOUR });
  });

  it("is not written by another job, nor by a reindex whose parts are not all done", async () => {
    // Prepare
    const { deps, status } = await world();

    // Act
    await driveSegmentJob(deps, { job: "recount", parts: 2, pageSize: 5 }, T0);
    const unfinished = finishSegmentJob(deps, { runId: "r", job: "reindex", startedAt: T0, parts: 2 });

    // Assess
    await expect(unfinished).rejects.toThrow(/reindex parts not done/);
    expect(status.marker).toBeUndefined();
  });

  it("makes the nightly reindex (unlessRebuilt) run until the index was rebuilt, then skip", async () => {
    // Prepare
    const { deps, status } = await world();
    const nightly = { job: "reindex", unlessRebuilt: true };

    // Act
    const first = await planSegmentJobRun(status, nightly, T0, "night-1");
    await driveSegmentJob(deps, { job: "reindex", parts: first.parts, pageSize: 5 }, T0);
    const second = await planSegmentJobRun(status, nightly, T0 + 24 * HOUR, "night-2");
    const onDemand = await planSegmentJobRun(status, { job: "reindex" }, T0 + 24 * HOUR, "cli");
    const recount = await planSegmentJobRun(status, { job: "recount", unlessRebuilt: true }, T0, "r");

    // Assess
    expect(first).toMatchObject({ skip: false, job: "reindex" });
    expect(first.items.length).toBe(first.parts);
    expect(second).toMatchObject({ skip: true, items: [] });
    expect(onDemand.skip).toBe(false);
    expect(recount.skip).toBe(false);
  });
});
