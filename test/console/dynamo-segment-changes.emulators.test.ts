import { describe, expect, it } from "vitest";
import { startTransitionJourneys } from "#shared/app/campaign-transitions.js";
import { DynamoSegmentChanges } from "#shared/aws/dynamo-segment-changes.js";
import type { SegmentTransition } from "#shared/domain/segments/contracts.js";
import { library } from "../campaigns/helpers.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { useSegmentsTable } from "../support/segments-table.js";

const table = useSegmentsTable();
const T0 = Date.UTC(2026, 11, 6, 9);

const transition = (customerId: string, kind: SegmentTransition["kind"], at: number): SegmentTransition => ({
  id: `${customerId}#lapsed#${kind}#${at}`,
  customerId,
  segmentId: "lapsed",
  kind,
  at,
  version: 1,
});

describe("DynamoSegmentChanges", () => {
  it("counts each transition once per UTC day, and lists the most recent customers of each kind", async () => {
    const changes = new DynamoSegmentChanges({ client: table(), tableName: "segments" });
    for (let i = 0; i < 5; i++) await changes.record(transition(`c-${i}`, "entered", T0 + i * 1000));
    await changes.record(transition("c-9", "exited", T0));
    // Redelivered: the same transitions again change nothing.
    await changes.record(transition("c-4", "entered", T0 + 4000));
    await changes.record(transition("c-9", "exited", T0));
    // Another day, another segment.
    await changes.record(transition("c-7", "entered", T0 - 86_400_000));
    await changes.record({ ...transition("c-8", "entered", T0), segmentId: "vip", id: "c-8#vip#entered" });

    const day = await changes.day("lapsed", "2026-12-06", 3);

    expect(day).toEqual({
      entered: 5,
      exited: 1,
      recentEntered: [
        { customerId: "c-4", at: T0 + 4000 },
        { customerId: "c-3", at: T0 + 3000 },
        { customerId: "c-2", at: T0 + 2000 },
      ],
      recentExited: [{ customerId: "c-9", at: T0 }],
    });
    expect((await changes.day("lapsed", "2026-12-05", 3)).entered).toBe(1);
    expect(await changes.day("lapsed", "2026-01-01", 3)).toEqual({
      entered: 0,
      exited: 0,
      recentEntered: [],
      recentExited: [],
    });
  });

  it("the transitions consumer records each live transition once however often it is delivered", async () => {
    const changes = new DynamoSegmentChanges({ client: table(), tableName: "segments" });
    const deps = {
      library: library(),
      sends: { queue: new InMemorySendQueue(), timers: new InMemorySendTimers() },
      clock: { now: () => T0 },
      changes,
    };
    const live = transition("d-1", "entered", Date.UTC(2026, 11, 1, 8));
    const imported = { ...transition("d-2", "entered", Date.UTC(2026, 11, 1, 9)), historical: true as const };
    const message = (t: SegmentTransition) => ({ messageId: t.id, body: JSON.stringify(t) });

    const first = await startTransitionJourneys(deps, [message(live), message(imported)]);
    await startTransitionJourneys(deps, [message(live)]);

    expect(first.failed.size).toBe(0);
    expect(await changes.day("lapsed", "2026-12-01", 50)).toMatchObject({
      entered: 1,
      recentEntered: [{ customerId: "d-1" }],
    });
  });
});
