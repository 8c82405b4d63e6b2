/**
 * The identity resolution benchmark (`npm run bench`, section "identity"): the same simulator traffic (anonymous
 * visits, sign-ups, logins on new devices, newsletter leads) ingested twice against the local stack, as deployed
 * (segments, tombstones), once with identity resolution off and once on, each into a fresh profiles table. It
 * prints what resolution adds per event (table reads, writes, read and write units) and what a batch whose events
 * link no new id pays (nothing: the same one read).
 *
 * Read units are counted by DynamoDB's billing rules from what each read returned (a strongly consistent read is one
 * unit per started 4 KB, one unit for an absent item); a forward's write is billed on the snapshot it keeps.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { type IngestDeps, type IngestRecord, ingestBatch } from "../shared/app/ingest-batch.js";
import { DynamoProfileStore } from "../shared/aws/dynamo-profile-store.js";
import type { IdentityLink } from "../shared/domain/profile/index.js";
import { dynamoSegmentDeps } from "../shared/lambda/segment-adapters.js";
import { segmentEnvShape } from "../shared/lambda/segment-env.js";
import type { ResolvedIds, StoredProfile } from "../shared/ports.js";
import { startBenchStack } from "./bench-stack.js";
import { createProfilesTable, simulatorRecords } from "./ingest.bench.js";

const CUSTOMERS = 400;
const DAYS = 10;
const MAX_EVENTS = 20_000;

/** The profile store with every read it makes counted in read units (and requests). */
class CountingStore extends DynamoProfileStore {
  readUnits = 0;
  readRequests = 0;
  retireUnits = 0;

  override async resolveIds(ids: readonly string[]): Promise<ResolvedIds> {
    const found = await super.resolveIds(ids);
    this.readRequests++;
    for (const id of new Set(ids)) {
      const stored = found.profiles.get(id);
      this.readUnits += Math.max(1, Math.ceil((stored?.itemBytes ?? 0) / 4096));
    }
    return found;
  }

  override async retire(
    id: string,
    previous: StoredProfile | undefined,
    to: string,
    at: number,
    link: IdentityLink,
  ): Promise<boolean> {
    // Counted as one write unit with the other identity writes; a snapshot over 1 KB bills more.
    this.retireUnits += Math.max(0, Math.ceil((previous?.itemBytes ?? 0) / 1024) - 1);
    return super.retire(id, previous, to, at, link);
  }
}

interface Run {
  events: number;
  seconds: number;
  readUnits: number;
  readRequests: number;
  writeUnits: number;
  identityWrites: number;
  identityReads: number;
  merges: number;
  conflicts: number;
  batches: number;
  batchesWithExtraReads: number;
}

async function run(
  records: readonly IngestRecord[],
  env: Readonly<Record<string, string>>,
  tableName: string,
  batchSize: number,
  identities: boolean,
): Promise<Run> {
  const dynamodb = new DynamoDBClient({});
  await createProfilesTable(dynamodb, tableName);
  const store = new CountingStore({ client: dynamodb, tableName });
  const now = records.reduce((max, record) => Math.max(max, record.approximateArrivalTimestamp), 0) + 60_000;
  const clock = { now: () => now };
  const deps: IngestDeps = {
    profiles: store,
    tombstones: store,
    ...(identities ? { identities: store } : {}),
    quarantine: { put: async () => {} },
    clock,
    segments: dynamoSegmentDeps({
      env: z.object(segmentEnvShape).parse(env),
      dynamodb,
      outbox: store,
      clock,
    }),
  };
  const totals: Run = {
    events: 0,
    seconds: 0,
    readUnits: 0,
    readRequests: 0,
    writeUnits: 0,
    identityWrites: 0,
    identityReads: 0,
    merges: 0,
    conflicts: 0,
    batches: 0,
    batchesWithExtraReads: 0,
  };
  const started = performance.now();
  for (let i = 0; i < records.length; i += batchSize) {
    const { summary } = await ingestBatch(deps, records.slice(i, i + batchSize));
    totals.events += summary.events;
    totals.writeUnits +=
      summary.writeUnits + summary.outboxWriteUnits + summary.timerWrites + summary.counterWrites;
    totals.identityWrites += summary.identityWrites;
    totals.identityReads += summary.identityReads;
    totals.merges += summary.merges;
    totals.conflicts += summary.identityConflicts;
    totals.batches++;
    if (summary.identityReads > 0) totals.batchesWithExtraReads++;
  }
  totals.seconds = (performance.now() - started) / 1000;
  totals.readUnits = store.readUnits;
  totals.readRequests = store.readRequests;
  // Forwards are billed on their snapshot; the other identity writes (snapshot clears, email index) are small.
  const retires = store.retireUnits;
  totals.writeUnits += retires;
  dynamodb.destroy();
  return totals;
}

/** The identity section of `npm run bench`: lines to print. */
export async function identityBench(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-identity-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await startBenchStack(dataDir, { pollers: false });
  try {
    const mapping = stack.plan.kinesisMappings.find((m) => m.streamName === "tailor-events");
    const ingest = stack.plan.functions.find((f) => f.name === mapping?.functionName);
    if (mapping === undefined || ingest === undefined) throw new Error("the template has no ingest mapping");
    const batchSize = mapping.settings.batchSize;
    const records = simulatorRecords({ customers: CUSTOMERS, days: DAYS, seed: 11, max: MAX_EVENTS });
    log(`identity: ${records.length} simulator events, resolution off, then on…`);
    const off = await run(records, ingest.environment, "bench-identity-off", batchSize, false);
    const on = await run(records, ingest.environment, "bench-identity-on", batchSize, true);
    // Known customers' track and page calls without an anonymous id: nothing links, so nothing may cost more.
    const plain = records.filter((record) => {
      const text = new TextDecoder().decode(record.data);
      const linkless = text.includes('"userId"') && !text.includes('"anonymousId"');
      return linkless && (text.includes('"type":"track"') || text.includes('"type":"page"'));
    });
    const quiet = await run(plain, ingest.environment, "bench-identity-plain", batchSize, true);
    const per = (n: number, r: Run) => (n / r.events).toFixed(3);
    const cells = (name: string, a: string, b: string) =>
      `${name.padEnd(40)}${a.padStart(12)}${b.padStart(12)}`;
    return [
      "",
      `Identity resolution — ${records.length} simulator events (${CUSTOMERS} customers, ${DAYS} days, anonymous visits,`,
      `sign-ups, new devices, newsletter leads), batches of ${batchSize}, as deployed (segments, tombstones)`,
      cells("", "off", "on"),
      cells(
        "events/s against the local stack",
        (off.events / off.seconds).toFixed(0),
        (on.events / on.seconds).toFixed(0),
      ),
      cells("table read requests/event", per(off.readRequests, off), per(on.readRequests, on)),
      cells("read units/event", per(off.readUnits, off), per(on.readUnits, on)),
      cells("write units/event", per(off.writeUnits, off), per(on.writeUnits, on)),
      cells("  of which identity writes/event", "0", per(on.identityWrites, on)),
      "",
      `With resolution on: ${on.merges} ids merged into customers, ${on.conflicts} links refused; ` +
        `${on.batchesWithExtraReads} of ${on.batches} batches read beyond their one load (${on.identityReads} extra read rounds).`,
      `Events that link no id (${quiet.events} known customers' track and page calls without an anonymousId): ` +
        `${quiet.identityReads} extra reads, ${quiet.identityWrites} identity writes.`,
      "An identify bringing an email address the customer does not hold yet costs one index read and one index write",
      "(once per customer and address); a merge costs a forward write (billed on the snapshot it keeps), the merged",
      "profile's write (the batch's own write) and a snapshot clear.",
      "",
    ];
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${(await identityBench()).join("\n")}\n`);
}
