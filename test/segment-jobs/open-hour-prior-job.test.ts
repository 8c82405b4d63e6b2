import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import {
  addOpenHours,
  emptyOpenHourTotals,
  type LearnedOpenHourPrior,
  learnOpenHourPrior,
} from "#shared/domain/campaigns/index.js";
import { HOUR, harness, T0, viewProduct } from "../app/segment-harness.js";
import { PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemoryJobParts } from "../fakes/in-memory-job-parts.js";
import { driveSegmentJob } from "./segment-job-driver.js";

describe("the rfm segment job learns the open-hour prior in the same pass", () => {
  it("stores the prior of every profile's decayed opens, merged over parts and pages", async () => {
    // Prepare: 25 customers, each with opens at a local hour of their own, some older than others.
    const h = harness();
    await ingestBatch(
      h.ingest(),
      Array.from({ length: 25 }, (_, i) => viewProduct(`c-${i}`, T0 - i * HOUR)),
    );
    for (const [i, stored] of [...h.profiles.items.values()].entries()) {
      stored.profile.oh = { t: T0 - i * 86_400_000, h: { [String((i * 5) % 24)]: 1 + (i % 4), "20": 2 } };
    }
    const expected = learnOpenHourPrior(
      addOpenHours(
        emptyOpenHourTotals(T0),
        [...h.profiles.items.values()].map((s) => s.profile.oh),
      ),
      T0,
    );
    const stored: LearnedOpenHourPrior[] = [];
    const batch = h.batch();

    // Act
    await driveSegmentJob(
      {
        ...batch,
        pages: new PagedProfiles(h.profiles, 0),
        parts: new InMemoryJobParts(),
        store: h.store,
        library: batch.segments.library,
        openHourPriors: { put: async (prior) => void stored.push(prior) },
      },
      { job: "rfm", parts: 3, pageSize: 4 },
      T0,
    );

    // Assess
    expect(stored).toHaveLength(1);
    const [prior] = stored;
    expect(prior?.customers).toBe(25);
    expect(prior?.opens).toBeCloseTo(expected.opens, 2);
    expect(prior?.computedAt).toBe(T0);
    prior?.prior.forEach((share, hour) => {
      expect(share).toBeCloseTo(expected.prior[hour] ?? Number.NaN, 5);
    });
    expect(prior?.prior[20]).toBeGreaterThan(0.3);
  });
});
