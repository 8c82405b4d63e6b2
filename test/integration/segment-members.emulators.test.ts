import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushOutbox, type StoredOutboxes } from "#shared/app/flush-outbox.js";
import { eraseCustomer } from "#shared/app/privacy/erase-customer.js";
import { TransitionPublishError } from "#shared/app/segment-errors.js";
import {
  DynamoSegmentMembers,
  MEMBER_INDEX_BUCKETS,
  memberPartition,
} from "#shared/aws/dynamo-segment-members.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import type { SegmentTransition } from "#shared/domain/segments/contracts.js";
import type { OutboxRemainder, OutboxStore, SegmentMemberIndex } from "#shared/ports.js";
import { InMemoryTransitionQueue } from "../fakes/in-memory-segments.js";
import { privacyFakes } from "../privacy/privacy-fakes.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const T0 = Date.UTC(2026, 11, 6, 12);
const SEGMENT = "vip";

let dynamodb: DynamoDBClient;
let stop: (() => Promise<void>) | undefined;
let tables = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});

afterAll(async () => {
  await stop?.();
});

async function newIndex(): Promise<{ index: DynamoSegmentMembers; tableName: string }> {
  const tableName = await createTable(dynamodb, `members-${++tables}`, "pk", "sk");
  const index = new DynamoSegmentMembers({
    client: dynamodb,
    tableName,
    segmentIds: () => [SEGMENT, "lapsed"],
    clock: { now: () => T0 },
  });
  return { index, tableName };
}

/** Every member of a segment, read part by part in pages of `limit`. */
async function members(index: SegmentMemberIndex, segmentId: string, parts = 1, limit = 100) {
  const byPart: string[][] = [];
  for (let part = 0; part < parts; part++) {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.page(segmentId, {
        part,
        parts,
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
      ids.push(...page.customerIds);
      cursor = page.cursor;
    } while (cursor !== undefined);
    byPart.push(ids);
  }
  return byPart;
}

const all = async (index: SegmentMemberIndex, segmentId = SEGMENT) =>
  (await members(index, segmentId)).flat().sort();

function transition(customerId: string, kind: "entered" | "exited", at: number): SegmentTransition {
  return {
    id: `${customerId}#${SEGMENT}#${kind}#${at}`,
    customerId,
    segmentId: SEGMENT,
    kind,
    at,
    version: 1,
  };
}

/** An outbox store that records what each clear left behind. */
class RecordingOutbox implements OutboxStore {
  readonly left: OutboxRemainder[] = [];
  async clearOutbox(_customerId: string, version: number, remaining: OutboxRemainder) {
    this.left.push(remaining);
    return { ok: true as const, version: version + 1, writeUnits: 1 };
  }
}

/** The stored profile a flush reads: at `version`, a member of the segment or not, with `ob` to publish. */
function stored(
  customerId: string,
  version: number,
  member: boolean,
  ob: SegmentTransition[],
): StoredOutboxes {
  return {
    customerId,
    version,
    itemBytes: 500,
    ob,
    ...(member ? { sg: { [SEGMENT]: { at: T0, v: 1 } } } : { sg: {} }),
  };
}

describe("DynamoSegmentMembers through the outbox flush", () => {
  it("lists a customer on entry, drops them on exit and lists them again on re-entry", async () => {
    // Prepare
    const { index } = await newIndex();
    const deps = {
      outbox: new RecordingOutbox(),
      transitions: new InMemoryTransitionQueue(),
      members: index,
    };

    // Act / Assess
    await flushOutbox(deps, stored("c-1", 2, true, [transition("c-1", "entered", T0)]), T0);
    expect(await all(index)).toEqual(["c-1"]);
    await flushOutbox(deps, stored("c-1", 4, false, [transition("c-1", "exited", T0 + 1)]), T0);
    expect(await all(index)).toEqual([]);
    await flushOutbox(deps, stored("c-1", 6, true, [transition("c-1", "entered", T0 + 2)]), T0);
    expect(await all(index)).toEqual(["c-1"]);
    expect(deps.transitions.messages).toHaveLength(3);
  });

  it("ignores a redelivered older flush: an entry redelivered after the exit does not bring the member back", async () => {
    // Prepare
    const { index } = await newIndex();
    const deps = {
      outbox: new RecordingOutbox(),
      transitions: new InMemoryTransitionQueue(),
      members: index,
    };
    const entry = stored("c-1", 2, true, [transition("c-1", "entered", T0)]);
    const exit = stored("c-1", 3, false, [
      transition("c-1", "entered", T0),
      transition("c-1", "exited", T0 + 1),
    ]);

    // Act
    await flushOutbox(deps, entry, T0);
    await flushOutbox(deps, exit, T0);
    await flushOutbox(deps, entry, T0);
    await flushOutbox(deps, entry, T0);

    // Assess
    expect(await all(index)).toEqual([]);
  });

  it("lists a member once however often the entry is redelivered", async () => {
    // Prepare
    const { index } = await newIndex();
    const deps = {
      outbox: new RecordingOutbox(),
      transitions: new InMemoryTransitionQueue(),
      members: index,
    };
    const entry = stored("c-1", 2, true, [transition("c-1", "entered", T0)]);

    // Act
    await Promise.all([flushOutbox(deps, entry, T0), flushOutbox(deps, entry, T0)]);
    await flushOutbox(deps, entry, T0);

    // Assess
    expect(await all(index)).toEqual(["c-1"]);
  });

  it.each([
    ["entry first", [true, false]],
    ["exit first", [false, true]],
  ])("racing writers (%s) settle on the newer version's state", async (_name, order) => {
    // Prepare: version 5 is an exit, version 4 the entry it followed; they arrive in either order, at once.
    const { index } = await newIndex();
    const deps = {
      outbox: new RecordingOutbox(),
      transitions: new InMemoryTransitionQueue(),
      members: index,
    };
    const flushes = order.map((member) =>
      member
        ? stored("c-1", 4, true, [transition("c-1", "entered", T0)])
        : stored("c-1", 5, false, [transition("c-1", "exited", T0 + 1)]),
    );

    // Act
    for (const flush of flushes) await flushOutbox(deps, flush, T0);
    await Promise.all(flushes.map((flush) => flushOutbox(deps, flush, T0)));

    // Assess
    expect(await all(index)).toEqual([]);
  });

  it("keeps the transitions in the outbox when the index cannot be written, so the next writer retries both", async () => {
    // Prepare: an index on a table that does not exist.
    const index = new DynamoSegmentMembers({ client: dynamodb, tableName: "no-such-table" });
    const outbox = new RecordingOutbox();
    const transitions = new InMemoryTransitionQueue();
    const ob = [transition("c-1", "entered", T0)];

    // Act
    const flushing = flushOutbox({ outbox, transitions, members: index }, stored("c-1", 2, true, ob), T0);

    // Assess
    await expect(flushing).rejects.toBeInstanceOf(TransitionPublishError);
    expect(transitions.messages).toEqual([]);
    // Nothing was cleared: the entry stays in the outbox for the next writer.
    expect(outbox.left).toEqual([]);
  });

  it("forgets an erased customer for good: no id kept, and a late older flush does not bring them back", async () => {
    // Prepare
    const { index, tableName } = await newIndex();
    const deps = {
      outbox: new RecordingOutbox(),
      transitions: new InMemoryTransitionQueue(),
      members: index,
    };
    const entry = stored("c-1", 7, true, [transition("c-1", "entered", T0)]);
    await flushOutbox(deps, entry, T0);
    await flushOutbox(deps, stored("c-2", 1, true, [transition("c-2", "entered", T0)]), T0);

    // Act
    const writes = await index.erase("c-1");
    await flushOutbox(deps, entry, T0);

    // Assess
    expect(writes).toBe(2);
    expect(await all(index)).toEqual(["c-2"]);
    const item = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: memberPartition(SEGMENT, "c-1") }, sk: { S: customerHash("c-1") } },
      }),
    );
    expect(item.Item?.c).toBeUndefined();
    expect(JSON.stringify(item.Item)).not.toContain('"c-1"');
  });
});

describe("eraseCustomer with the membership index", () => {
  it("takes the erased customer out of every segment's index and leaves the others", async () => {
    // Prepare
    const { index } = await newIndex();
    const fakes = privacyFakes(T0);
    for (const id of ["c-1", "c-2"]) {
      fakes.profiles.items.set(id, { profile: { ...emptyProfile(id, T0), version: 2 }, itemBytes: 300 });
      await index.sync(
        id,
        2,
        new Map([
          [SEGMENT, true],
          ["lapsed", true],
        ]),
      );
    }

    // Act
    await eraseCustomer({ ...fakes.deps, members: index }, "c-1", "test");

    // Assess
    expect(await all(index)).toEqual(["c-2"]);
    expect(await all(index, "lapsed")).toEqual(["c-2"]);
  });
});

describe("DynamoSegmentMembers pages", () => {
  it("splits a segment's members into disjoint parts, each read page by page, together every member once", async () => {
    // Prepare
    const { index } = await newIndex();
    const ids = Array.from({ length: 60 }, (_, i) => `c-${i}`);
    await Promise.all(ids.map((id, i) => index.sync(id, 1, new Map([[SEGMENT, i % 4 !== 0]]))));
    await index.sync("c-other", 1, new Map([["lapsed", true]]));
    const expected = ids.filter((_, i) => i % 4 !== 0).sort();

    // Act
    const byPart = await members(index, SEGMENT, 3, 4);

    // Assess
    expect(byPart.flat().sort()).toEqual(expected);
    expect(new Set(byPart.flat()).size).toBe(expected.length);
    expect(byPart.every((part) => part.length > 0)).toBe(true);
    expect(await all(index, "lapsed")).toEqual(["c-other"]);
  });

  it("answers parts beyond the buckets with nothing, and names the field of a bad option", async () => {
    // Prepare
    const { index } = await newIndex();
    await index.sync("c-1", 1, new Map([[SEGMENT, true]]));

    // Act
    const byPart = await members(index, SEGMENT, MEMBER_INDEX_BUCKETS + 2);

    // Assess
    expect(byPart.flat()).toEqual(["c-1"]);
    await expect(index.page(SEGMENT, { part: 3, parts: 3, limit: 10 })).rejects.toThrow(/part must be/);
    await expect(index.page(SEGMENT, { part: 0, parts: 1, limit: 0 })).rejects.toThrow(/limit must be/);
    await expect(index.page(SEGMENT, { part: 0, parts: 1, limit: 5, cursor: "garbage" })).rejects.toThrow(
      /cursor/,
    );
  });
});
