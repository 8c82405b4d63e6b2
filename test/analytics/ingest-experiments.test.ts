import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import type { ExperimentIncrement } from "#shared/domain/analytics/index.js";
import type { ExperimentArmTotals, ExperimentCounters } from "#shared/ports.js";
import { harness, order, record, T0 } from "../app/segment-harness.js";

function email(customerId: string, event: string, at: number, n: number) {
  return record({
    type: "track",
    event,
    messageId: `${event}-${customerId}-${n}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties: { message_id: `ses-${customerId}`, campaign_id: "cart", variant: "b" },
  });
}

describe("ingestBatch and the experiment counters", () => {
  it("writes the batch's engagement and attributed orders once, at the end, and nothing for a replay", async () => {
    const h = harness();
    const added: ExperimentIncrement[][] = [];
    const deps = {
      ...h.ingest(),
      experiments: {
        add: async (_flushId: string, i: readonly ExperimentIncrement[]) => added.push([...i]),
        totals: async () => [],
      },
    };
    const batch = [
      email("c-1", "Email Delivered", T0 - 3_000, 1),
      email("c-1", "Email Opened", T0 - 2_000, 2),
      email("c-1", "Email Opened", T0 - 1_500, 3),
      email("c-1", "Email Clicked", T0 - 1_000, 4),
      order("c-1", T0 - 500, 40),
    ];

    const { summary } = await ingestBatch(deps, batch);
    await ingestBatch(deps, batch);

    expect(added).toHaveLength(1);
    expect(added[0]?.map((i) => `${i.arm}:${i.metric}:${i.amount}`)).toEqual([
      "b:delivered:1",
      "b:opened:1",
      "b:clicked:1",
      "b:converted:1",
      "b:revenue:4000",
    ]);
    expect(summary.experimentWrites).toBe(1);
  });
});

/** Counters that keep each flush once by its id, as the DynamoDB adapter does; `failing` makes adds throw. */
class FlushCounters implements ExperimentCounters {
  readonly flushes = new Map<string, readonly ExperimentIncrement[]>();
  failing = 0;

  async add(flushId: string, increments: readonly ExperimentIncrement[]): Promise<number> {
    if (this.failing > 0) {
      this.failing--;
      throw new Error("counters table unreachable (or the process died)");
    }
    this.flushes.set(flushId, increments);
    return 1;
  }

  async totals(): Promise<ExperimentArmTotals[]> {
    return [];
  }

  count(metric: string): number {
    return [...this.flushes.values()].flat().filter((i) => i.metric === metric).length;
  }
}

describe("experiment counts and crashes", () => {
  it("keeps a write's counts in the profile's outbox when the counters cannot be reached, and adds them on the redelivery", async () => {
    const h = harness();
    const counters = new FlushCounters();
    const deps = { ...h.ingest(), experiments: counters };
    const batch = [
      email("c-1", "Email Delivered", T0 - 3_000, 1),
      email("c-1", "Email Opened", T0 - 2_000, 2),
    ];

    counters.failing = 1;
    const first = await ingestBatch(deps, batch);
    // The profile was written with its counts waiting in `ox`; the records fail back to the stream.
    expect(first.failed.size).toBe(2);
    expect((await h.profiles.get("c-1"))?.profile.ox).toHaveLength(1);
    expect(counters.flushes.size).toBe(0);

    const redelivered = await ingestBatch(deps, batch);
    expect(redelivered.failed.size).toBe(0);
    expect(counters.count("delivered")).toBe(1);
    expect(counters.count("opened")).toBe(1);
    expect((await h.profiles.get("c-1"))?.profile.ox).toBeUndefined();
  });

  it("counts once when the process dies after adding and before clearing the outbox", async () => {
    const h = harness();
    const counters = new FlushCounters();
    const deps = { ...h.ingest(), experiments: counters };
    const batch = [
      email("c-1", "Email Delivered", T0 - 3_000, 1),
      email("c-1", "Email Opened", T0 - 2_000, 2),
    ];
    h.profiles.beforeClear = () => {
      throw new Error("process killed");
    };

    // Killed after the counters took the flush, before the outbox was cleared: the stream redelivers.
    const killed = await ingestBatch(deps, batch);
    expect(killed.failed.size).toBe(2);
    expect(counters.count("opened")).toBe(1);
    h.profiles.beforeClear = undefined;
    await ingestBatch(deps, batch);
    await ingestBatch(deps, batch);

    expect(counters.count("opened")).toBe(1);
    expect(counters.count("delivered")).toBe(1);
    expect((await h.profiles.get("c-1"))?.profile.ox).toBeUndefined();
  });

  it("agrees with the profiles after crashes and outages: every delivery counted exactly once", async () => {
    const h = harness();
    const counters = new FlushCounters();
    const deps = { ...h.ingest(), experiments: counters };
    const customers = Array.from({ length: 20 }, (_, i) => `c-${i}`);
    let n = 0;
    let crashes = 0;
    for (let round = 0; round < 10; round++) {
      const batch = customers.map((id) => email(id, "Email Delivered", T0 - 10_000 + round, ++n));
      // Unreachable counters or a kill between the add and the clear, at random; the stream redelivers.
      counters.failing = round % 3 === 0 ? 5 : 0;
      h.profiles.beforeClear = (id) => {
        if (round % 4 === 1 && id.endsWith("7")) {
          crashes++;
          throw new Error("process killed");
        }
      };
      await ingestBatch(deps, batch).catch(() => undefined);
      h.profiles.beforeClear = undefined;
      counters.failing = 0;
      await ingestBatch(deps, batch);
    }
    expect(crashes).toBeGreaterThan(0);
    // Each customer had one delivery per round: the profiles hold 10 each, and so do the counters.
    let delivered = 0;
    for (const id of customers) delivered += (await h.profiles.get(id))?.profile.k.ed?.n ?? 0;
    expect(delivered).toBe(customers.length * 10);
    expect(counters.count("delivered")).toBe(delivered);
  });
});
