/**
 * The ingest benchmark (`npm run bench`): Tailor's batched ingest against a naive baseline (one read and one
 * write per event), measured in the same run, on the simulator's traffic, against the embedded local stack.
 *
 * Write and read units are computed from item sizes by DynamoDB's billing rules (1 write unit per started KB of
 * the larger of before and after; 1 strongly consistent read unit per started 4 KB), never from the emulator.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { LocalStack } from "../infra/local/local-stack.js";
import { type PutEntry, putAll } from "../infra/local/put-records.js";
import { type IngestRecord, ingestBatch } from "../shared/app/ingest-batch.js";
import { itemSizeBytes } from "../shared/aws/dynamo-item-size.js";
import { DynamoProfileStore } from "../shared/aws/dynamo-profile-store.js";
import { S3Quarantine } from "../shared/aws/s3-quarantine.js";
import { decodeEvent, type TailorEvent } from "../shared/domain/events/index.js";
import { foldEvents, type Profile } from "../shared/domain/profile/index.js";
import { dynamoSegmentDeps } from "../shared/lambda/segment-adapters.js";
import { segmentEnvShape } from "../shared/lambda/segment-env.js";
import type { ProfileStore, PutOutcome, StoredProfile } from "../shared/ports.js";
import { simulate } from "../shared/sim/index.js";
import { startBenchStack } from "./bench-stack.js";

/** DynamoDB on-demand prices, us-east-1, USD per million request units. */
const PRICE_PER_MILLION_WRU = 0.625;
const PRICE_PER_MILLION_RRU = 0.125;

const args = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    return match?.[1] !== undefined && match[2] !== undefined ? [[match[1], match[2]] as const] : [];
  }),
);
const CUSTOMERS = Number(args.get("customers") ?? 500);
const DAYS = Number(args.get("days") ?? 14);
const MAX_EVENTS = Number(args.get("events") ?? 50_000);
const SHARD_RATE_SECONDS = Number(args.get("rate-seconds") ?? 15);

interface Figures {
  events: number;
  seconds: number;
  cpuMs: number;
  writeRequests: number;
  writeUnits: number;
  readUnits: number;
}

const encoder = new TextEncoder();
const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** The simulator's traffic as stream records on one shard: `customers` over `days`, at most `max` events. */
export function simulatorRecords(options: {
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  readonly max: number;
}): IngestRecord[] {
  const records: IngestRecord[] = [];
  const start = Date.UTC(2026, 9, 1);
  let sequence = 0;
  const { customers, days, seed } = options;
  for (const { partitionKey, event, at } of simulate({ customers, days, seed, start })) {
    records.push({
      sequenceNumber: String(++sequence).padStart(20, "0"),
      partitionKey,
      shardId: "shardId-000000000000",
      data: encoder.encode(JSON.stringify(event)),
      approximateArrivalTimestamp: at,
    });
    if (records.length >= options.max) break;
  }
  return records;
}

const traffic = () => simulatorRecords({ customers: CUSTOMERS, days: DAYS, seed: 7, max: MAX_EVENTS });

/** The events' own clock: the simulator's time, so windows and lifecycle behave as on the day. */
function lastArrival(records: readonly IngestRecord[]): number {
  return records.reduce((max, record) => Math.max(max, record.approximateArrivalTimestamp), 0);
}

/** CPU ms spent decoding and folding, batched as the ingest does, and one event at a time. */
function cpuOfDecodeAndFold(
  records: readonly IngestRecord[],
  batchSize: number,
  now: number,
): { batched: number; naive: number } {
  const profiles = new Map<string, Profile>();
  const before = cpuNow();
  for (let i = 0; i < records.length; i += batchSize) {
    const groups = new Map<string, TailorEvent[]>();
    for (const record of records.slice(i, i + batchSize)) {
      const decoded = decodeEvent(record.data, now);
      if (!decoded.ok) continue;
      const list = groups.get(decoded.event.customerId) ?? [];
      list.push(decoded.event);
      groups.set(decoded.event.customerId, list);
    }
    for (const [customerId, events] of groups) {
      profiles.set(customerId, foldEvents(profiles.get(customerId), customerId, events, now).profile);
    }
  }
  const batched = cpuNow() - before;

  const naiveProfiles = new Map<string, Profile>();
  const naiveBefore = cpuNow();
  for (const record of records) {
    const decoded = decodeEvent(record.data, now);
    if (!decoded.ok) continue;
    const { customerId } = decoded.event;
    naiveProfiles.set(
      customerId,
      foldEvents(naiveProfiles.get(customerId), customerId, [decoded.event], now).profile,
    );
  }
  return { batched, naive: cpuNow() - naiveBefore };
}

/** Tailor's ingest as deployed: batched, with segments evaluated and their bookkeeping (timers, counters, outbox). */
async function runBatched(
  records: readonly IngestRecord[],
  batchSize: number,
  env: Readonly<Record<string, string>>,
  now: number,
) {
  const dynamodb = new DynamoDBClient({});
  const clock = { now: () => now };
  const store = new DynamoProfileStore({ client: dynamodb, tableName: required(env, "PROFILES_TABLE") });
  const profiles = new ReadCountingStore(store);
  const deps = {
    profiles,
    quarantine: new S3Quarantine({
      client: new S3Client({}),
      bucketName: required(env, "QUARANTINE_BUCKET"),
    }),
    clock,
    segments: dynamoSegmentDeps({
      env: z.object(segmentEnvShape).parse(env),
      dynamodb,
      outbox: store,
      clock,
    }),
  };
  const figures: Figures = { events: 0, seconds: 0, cpuMs: 0, writeRequests: 0, writeUnits: 0, readUnits: 0 };
  const bookkeeping = {
    profileWriteUnits: 0,
    timerWrites: 0,
    counterWrites: 0,
    outboxWrites: 0,
    transitions: 0,
  };
  const started = performance.now();
  const cpuStart = cpuNow();
  for (let i = 0; i < records.length; i += batchSize) {
    const { summary } = await ingestBatch(deps, records.slice(i, i + batchSize));
    figures.events += summary.events;
    // Timer and counter items are far under 1 KB: one write unit per write.
    const extraWrites = summary.timerWrites + summary.counterWrites + summary.outboxWrites;
    figures.writeRequests += summary.profilesWritten + summary.conflicts + extraWrites;
    figures.writeUnits +=
      summary.writeUnits + summary.outboxWriteUnits + summary.timerWrites + summary.counterWrites;
    bookkeeping.profileWriteUnits += summary.writeUnits;
    bookkeeping.timerWrites += summary.timerWrites;
    bookkeeping.counterWrites += summary.counterWrites;
    bookkeeping.outboxWrites += summary.outboxWrites;
    bookkeeping.transitions += summary.transitions;
  }
  figures.seconds = (performance.now() - started) / 1000;
  figures.cpuMs = cpuNow() - cpuStart;
  figures.readUnits = profiles.readUnits;
  return { figures, bookkeeping };
}

function required(env: Readonly<Record<string, string>>, name: string): string {
  const value = env[name];
  if (value === undefined) throw new Error(`the ingest function's environment has no ${name}`);
  return value;
}

/** A fresh table shaped as the profiles table (`pk`), on-demand, on the local stack's DynamoDB. */
export async function createProfilesTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await client.send(new DescribeTableCommand({ TableName: tableName }));
}

async function runNaive(records: readonly IngestRecord[], tableName: string, now: number): Promise<Figures> {
  const client = new DynamoDBClient({});
  await createProfilesTable(client, tableName);
  const store = new ReadCountingStore(new DynamoProfileStore({ client, tableName }));
  const figures: Figures = { events: 0, seconds: 0, cpuMs: 0, writeRequests: 0, writeUnits: 0, readUnits: 0 };
  const started = performance.now();
  const cpuStart = cpuNow();
  for (const record of records) {
    const decoded = decodeEvent(record.data, now);
    if (!decoded.ok) continue;
    const { customerId } = decoded.event;
    const current = await store.get(customerId);
    const folded = foldEvents(current?.profile, customerId, [decoded.event], now);
    const outcome = await store.put(folded.profile, current);
    figures.events++;
    figures.writeRequests++;
    if (outcome.ok) figures.writeUnits += outcome.writeUnits;
  }
  figures.seconds = (performance.now() - started) / 1000;
  figures.cpuMs = cpuNow() - cpuStart;
  figures.readUnits = store.readUnits;
  return figures;
}

/** Stored profile item sizes (bytes, by DynamoDB's rules) across the whole table: median, 95th percentile, max. */
async function itemSizes(
  tableName: string,
): Promise<{ count: number; median: number; p95: number; max: number }> {
  const client = new DynamoDBClient({});
  const sizes: number[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) sizes.push(itemSizeBytes(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  sizes.sort((a, b) => a - b);
  const at = (q: number) => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))] ?? 0;
  return { count: sizes.length, median: at(0.5), p95: at(0.95), max: sizes[sizes.length - 1] ?? 0 };
}

/** Counts the read units a store's reads would be billed (strongly consistent: 1 per started 4 KB per item). */
class ReadCountingStore implements ProfileStore {
  readUnits = 0;
  readonly #inner: ProfileStore;

  constructor(inner: ProfileStore) {
    this.#inner = inner;
  }

  #count(stored: StoredProfile | undefined): void {
    this.readUnits += Math.max(1, Math.ceil((stored?.itemBytes ?? 0) / 4096));
  }

  async get(customerId: string): Promise<StoredProfile | undefined> {
    const stored = await this.#inner.get(customerId);
    this.#count(stored);
    return stored;
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    const found = await this.#inner.getMany(customerIds);
    for (const id of new Set(customerIds)) this.#count(found.get(id));
    return found;
  }

  put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    return this.#inner.put(profile, previous);
  }
}

/**
 * Puts records on the stream at one shard's full rate (1,000 records/s) and times the handler, behind the local
 * event source mapping, keeping up. The traffic is a month of ordinary days (the first day's customer import,
 * two events per customer, is left out: it is not what a shard carries all day).
 */
async function shardRate(stack: LocalStack, streamName: string) {
  const rate = 1000;
  const total = rate * SHARD_RATE_SECONDS;
  const start = Date.now() - 30 * 864e5;
  function* entries(): Generator<PutEntry> {
    let n = 0;
    for (const { partitionKey, event, at } of simulate({ customers: 5000, days: 30, seed: 99, start })) {
      if (at < start + 864e5) continue;
      if (n++ >= total) return;
      yield { partitionKey, data: encoder.encode(JSON.stringify(event)) };
    }
  }
  const records = [...entries()];
  const started = performance.now();
  const { put } = await putAll({ kinesis: new KinesisClient({}), streamName, records, ratePerSecond: rate });
  const putSeconds = (performance.now() - started) / 1000;
  await stack.waitUntilIdle({ timeoutMs: 600_000 });
  const drainedSeconds = (performance.now() - started) / 1000;
  return { sent: put, putSeconds, drainedSeconds };
}

function perEvent(f: Figures) {
  const wruPerEvent = f.writeUnits / f.events;
  const rruPerEvent = f.readUnits / f.events;
  return {
    eventsPerSecond: f.events / f.seconds,
    cpuMsPerEvent: f.cpuMs / f.events,
    writeRequestsPerEvent: f.writeRequests / f.events,
    writeUnitsPerEvent: wruPerEvent,
    readUnitsPerEvent: rruPerEvent,
    dollarsPerMillionEvents: wruPerEvent * PRICE_PER_MILLION_WRU + rruPerEvent * PRICE_PER_MILLION_RRU,
  };
}

/** The ingest section of `npm run bench`: lines to print. */
export async function ingestBench(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await startBenchStack(dataDir);
  try {
    const mapping = stack.plan.kinesisMappings.find((m) => m.streamName === "tailor-events");
    if (mapping === undefined) throw new Error("the template has no event source mapping on tailor-events");
    const batchSize = mapping.settings.batchSize;
    log(`generating up to ${MAX_EVENTS} simulator events (${CUSTOMERS} customers, ${DAYS} days)…`);
    const records = traffic();
    const now = lastArrival(records) + 60_000;
    log("measuring decode + fold CPU (after a warm-up pass)…");
    cpuOfDecodeAndFold(records, batchSize, now);
    const cpu = cpuOfDecodeAndFold(records, batchSize, now);
    log(
      `Tailor batched ingest against the local stack (batches of ${batchSize}, as the template's mapping)…`,
    );
    const ingest = stack.plan.functions.find((f) => f.name === mapping.functionName);
    if (ingest === undefined) throw new Error(`the template has no function ${mapping.functionName}`);
    const run = await runBatched(records, batchSize, ingest.environment, now);
    const batched = perEvent(run.figures);
    const perEventOf = (n: number) => (n / run.figures.events).toFixed(3);
    const sizes = await itemSizes("tailor-profiles");
    log("naive baseline (one read and one write per event)…");
    const naive = perEvent(await runNaive(records, "bench-naive-profiles", now));
    log(`end to end through Kinesis at 1,000 records/s for ${SHARD_RATE_SECONDS} s…`);
    const e2e = await shardRate(stack, "tailor-events");

    const cells = (name: string, ours: string, base: string, ratio: number) =>
      `${name.padEnd(34)}${ours.padStart(12)}${base.padStart(12)}${ratio.toFixed(1).padStart(10)}×`;
    /** Lower is better: the ratio says how many times less Tailor spends. */
    const row = (name: string, ours: number, base: number, digits = 3) =>
      cells(name, ours.toFixed(digits), base.toFixed(digits), base / ours);
    const higherIsBetter = (name: string, ours: number, base: number) =>
      cells(name, ours.toFixed(0), base.toFixed(0), ours / base);
    const lines = [
      "",
      `Tailor ingest benchmark — ${records.length} simulator events (${CUSTOMERS} customers, ${DAYS} days), batches of ${batchSize}, one shard`,
      `${"".padEnd(34)}${"tailor".padStart(12)}${"naive".padStart(12)}${"better".padStart(11)}`,
      higherIsBetter("events/s against the local stack", batched.eventsPerSecond, naive.eventsPerSecond),
      row("CPU ms/event, decode + fold", cpu.batched / records.length, cpu.naive / records.length, 4),
      row("CPU ms/event, whole ingest path", batched.cpuMsPerEvent, naive.cpuMsPerEvent, 4),
      row("DynamoDB write requests/event", batched.writeRequestsPerEvent, naive.writeRequestsPerEvent),
      row("DynamoDB write units/event", batched.writeUnitsPerEvent, naive.writeUnitsPerEvent),
      row(
        "  of which profile puts",
        run.bookkeeping.profileWriteUnits / run.figures.events,
        naive.writeUnitsPerEvent,
      ),
      row("DynamoDB read units/event", batched.readUnitsPerEvent, naive.readUnitsPerEvent),
      row(
        "USD per million events (DynamoDB)",
        batched.dollarsPerMillionEvents,
        naive.dollarsPerMillionEvents,
      ),
      "",
      `Tailor's figures include segments (${run.bookkeeping.transitions} transitions): per event ${perEventOf(run.bookkeeping.timerWrites)} timer writes, ` +
        `${perEventOf(run.bookkeeping.counterWrites)} size-counter writes, ${perEventOf(run.bookkeeping.outboxWrites)} outbox clears; the naive baseline evaluates none.`,
      `Profile items after the run: ${sizes.count} customers, median ${sizes.median} B, 95th percentile ${sizes.p95} B, largest ${sizes.max} B`,
      `Shard rate: ${e2e.sent} records put in ${e2e.putSeconds.toFixed(1)} s (${(e2e.sent / e2e.putSeconds).toFixed(0)}/s), ` +
        `all ingested through Kinesis and the handler after ${e2e.drainedSeconds.toFixed(1)} s ` +
        `(${(e2e.sent / e2e.drainedSeconds).toFixed(0)} records/s sustained by one handler process)`,
      `Prices: on-demand, us-east-1: $${PRICE_PER_MILLION_WRU}/M write units, $${PRICE_PER_MILLION_RRU}/M read units.`,
      "",
    ];
    return lines;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${(await ingestBench()).join("\n")}\n`);
}
