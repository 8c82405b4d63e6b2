import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { profileKey } from "../../shared/aws/profile-key.js";
import { parseEvent, type TailorEvent } from "../../shared/domain/events/index.js";
import { foldEvents, type Profile } from "../../shared/domain/profile/index.js";
import { simulate } from "../../shared/sim/index.js";

const BATCH = 25;
const DAY_MS = 86_400_000;

/** Profiles of simulated customers (their events folded at `now`): the shapes a loaded table is made of. */
export function simulatedProfiles(options: {
  customers: number;
  days: number;
  seed: number;
  now: number;
}): Profile[] {
  const byCustomer = new Map<string, TailorEvent[]>();
  const start = options.now - options.days * DAY_MS;
  for (const { event } of simulate({
    customers: options.customers,
    days: options.days,
    seed: options.seed,
    start,
  })) {
    const parsed = parseEvent(event, options.now);
    if (!parsed.ok) continue;
    const list = byCustomer.get(parsed.event.customerId) ?? [];
    list.push(parsed.event);
    byCustomer.set(parsed.event.customerId, list);
  }
  return [...byCustomer].map(([id, events]) => foldEvents(undefined, id, events, options.now).profile);
}

/**
 * Loads `count` profiles into the profiles table with BatchWriteItem, `concurrency` batches of 25 in flight,
 * retrying unprocessed items: the simulated profiles cycled, each copy under its own id (`load-<n>`), written as
 * the profile store writes them (version 1). Resolves the time taken and the rate.
 */
export async function loadProfiles(
  client: DynamoDBClient,
  tableName: string,
  options: {
    readonly count: number;
    readonly now: number;
    readonly concurrency?: number;
    readonly seed?: number;
  },
): Promise<{ readonly loaded: number; readonly seconds: number; readonly perSecond: number }> {
  const shapes = simulatedProfiles({ customers: 400, days: 60, seed: options.seed ?? 3, now: options.now });
  if (shapes.length === 0) throw new Error("the simulation made no profiles");
  const item = (n: number): WriteRequest => {
    const shape = shapes[n % shapes.length] ?? shapes[0];
    const customerId = `load-${n}`;
    return {
      PutRequest: {
        Item: {
          ...marshall({ ...shape, customerId, version: 1 }, { removeUndefinedValues: true }),
          pk: { S: profileKey(customerId) },
        },
      },
    };
  };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const from = next;
      if (from >= options.count) return;
      next = Math.min(options.count, from + BATCH);
      let pending = Array.from({ length: next - from }, (_, i) => item(from + i));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        pending = out.UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { loaded: options.count, seconds, perSecond: options.count / seconds };
}
