import { DeleteItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { startTransitionJourneys } from "#shared/app/campaign-transitions.js";
import { DynamoSegmentChanges } from "#shared/aws/dynamo-segment-changes.js";
import { profileKey } from "#shared/aws/profile-key.js";
import type { SegmentTransition } from "#shared/domain/segments/contracts.js";
import { library } from "../campaigns/helpers.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { createTable } from "../support/dynamo-table.js";
import { useSegmentsTable } from "../support/segments-table.js";

const table = useSegmentsTable();
beforeAll(async () => {
  await createTable(table(), "profiles", "pk");
});

/** A stored profile of `customerId` (what a day's markers are read back from): its key and its id. */
async function putProfile(customerId: string): Promise<void> {
  await table().send(
    new PutItemCommand({
      TableName: "profiles",
      Item: { pk: { S: profileKey(customerId) }, customerId: { S: customerId }, version: { N: "1" } },
    }),
  );
}

const changesOf = () =>
  new DynamoSegmentChanges({ client: table(), tableName: "segments", profilesTable: "profiles" });
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
    const changes = changesOf();
    for (const id of ["c-0", "c-1", "c-2", "c-3", "c-4", "c-7", "c-9"]) await putProfile(id);
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
      dropped: 0,
    });
    expect((await changes.day("lapsed", "2026-12-05", 3)).entered).toBe(1);
    expect(await changes.day("lapsed", "2026-01-01", 3)).toEqual({
      entered: 0,
      exited: 0,
      recentEntered: [],
      recentExited: [],
      dropped: 0,
    });
  });

  it("keeps no customer id in its markers: an erased customer (profile gone) is no longer named, only counted", async () => {
    const changes = changesOf();
    await putProfile("e-1");
    await putProfile("e-2");
    const at = Date.UTC(2026, 10, 2, 9);
    await changes.record({ ...transition("e-1", "entered", at), segmentId: "vip", id: "e-1#vip" });
    await changes.record({ ...transition("e-2", "entered", at + 1), segmentId: "vip", id: "e-2#vip" });
    await table().send(
      new DeleteItemCommand({ TableName: "profiles", Key: { pk: { S: profileKey("e-1") } } }),
    );

    const day = await changes.day("vip", "2026-11-02", 10);

    expect(day).toMatchObject({ entered: 2, recentEntered: [{ customerId: "e-2" }], dropped: 1 });
    const { Items } = await table().send(new ScanCommand({ TableName: "segments" }));
    expect(JSON.stringify(Items)).not.toContain("e-1");
  });

  it("the transitions consumer records each live transition once however often it is delivered", async () => {
    const changes = changesOf();
    await putProfile("d-1");
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
