import { describe, expect, it } from "vitest";
import { ingestBatch } from "../../shared/app/ingest-batch.js";
import type { ExperimentIncrement } from "../../shared/domain/analytics/index.js";
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
