import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { eraseCustomer, isNothingHeld } from "#shared/app/privacy/erase-customer.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import type { LedgerItem, PendingTimer, QuarantinedMetadata } from "#shared/ports.js";
import { InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";
import { InMemoryAuditLog, InMemoryCustomerItems } from "./privacy-fakes.js";

/**
 * Erasure racing a live stream on the DynamoDB emulator: each trial erases a customer while three batches of
 * other customers (50 each: a batch takes far longer than the erasure's delay of up to 27 ms), and the victim's
 * own late events, are being written. The erased profile must never be written back, and every other customer
 * must be written.
 */

const NOW = Date.UTC(2026, 10, 23, 12);
const TRIALS = 10;
const CUSTOMERS = 150;
const encoder = new TextEncoder();

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;
let sequence = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  await createTable(dynamodb, "profiles", "pk");
});

afterAll(async () => {
  await stop?.();
});

function identify(customerId: string): IngestRecord {
  sequence++;
  const event = {
    type: "identify",
    messageId: `m-${sequence}`,
    userId: customerId,
    timestamp: new Date(NOW - 60_000).toISOString(),
    traits: { email: `${customerId}@example.com` },
  };
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: customerId,
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(event)),
    approximateArrivalTimestamp: NOW - 1000,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("erasure racing live batches on dynalite", () => {
  it(`never writes back an erased profile (${TRIALS} trials, ${CUSTOMERS} other customers per batch)`, async () => {
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: "profiles" });
    const clock = { now: () => NOW };
    const audit = new InMemoryAuditLog();
    const ingest = { profiles, tombstones: profiles, quarantine: new InMemoryQuarantine(), clock, audit };
    const privacy = {
      profiles,
      ledger: new InMemoryCustomerItems<LedgerItem>(),
      timers: new InMemoryCustomerItems<PendingTimer>(),
      quarantine: new InMemoryCustomerItems<QuarantinedMetadata>(),
      audit,
      clock,
    };
    const resurrected: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const victim = `victim-${trial}`;
      await ingestBatch(ingest, [identify(victim)]);
      const batches = [0, 1, 2].map((b) => [
        ...Array.from({ length: CUSTOMERS / 3 }, (_, i) => identify(`t${trial}-b${b}-c${i}`)),
        identify(victim),
      ]);
      // The erasure starts a few milliseconds into the batches: at a different step of them each trial.
      const [outcome, ...results] = await Promise.all([
        sleep(trial * 3).then(() => eraseCustomer(privacy, victim, "cli:ops")),
        ...batches.map((batch) => ingestBatch(ingest, batch)),
      ]);
      if (outcome === undefined || isNothingHeld(outcome)) throw new Error("the victim had a profile");
      if ((await profiles.get(victim)) !== undefined) resurrected.push(victim);
      expect(await profiles.tombstone(victim)).toMatchObject({ kind: "erased" });
      for (const result of results) expect(result.summary.failedRecords).toBe(0);
      const others = await profiles.getMany(batches.flat().map((r) => r.partitionKey));
      expect(others.size).toBe(CUSTOMERS);
    }
    expect(resurrected).toEqual([]);
  }, 120_000);
});
