/**
 * The de-aggregation benchmark (`npm run bench`): the CPU the ingest's decode stage spends per event when the
 * simulator's events arrive as plain records (one event each) against the same events packed in KPL-aggregated
 * records (by the awslabs library `aws-kinesis-agg`, as the KPL would), measured in the same run. Decoding is
 * everything before the fold: de-aggregation (MD5 check, protobuf), UTF-8, JSON and validation.
 */
import { decodeRecords } from "../shared/app/decode-records.js";
import { userRecordsOf } from "../shared/aws/kinesis-user-records.js";
import type { StreamRecord } from "../shared/ports.js";
import { simulate } from "../shared/sim/index.js";
import { kplAggregate } from "../test/support/kpl-aggregate.js";

const EVENTS = 20_000;
/** User records per aggregate: what a KPL producer typically packs for small events (it fills up to 1 MiB). */
const PER_AGGREGATE = 100;
const ROUNDS = 5;

const encoder = new TextEncoder();
const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

function record(sequence: number, partitionKey: string, data: Uint8Array, at: number): StreamRecord {
  return {
    sequenceNumber: String(sequence).padStart(20, "0"),
    partitionKey,
    shardId: "shardId-000000000000",
    data,
    approximateArrivalTimestamp: at,
  };
}

/** CPU µs of decoding `records` as the ingest handler and its decode stage do, and the events decoded. */
function cpuOfDecode(records: readonly StreamRecord[], now: number): { micros: number; events: number } {
  const before = cpuMicros();
  const decoded = decodeRecords(records.flatMap(userRecordsOf), now);
  return { micros: cpuMicros() - before, events: decoded.filter((entry) => entry.ok).length };
}

/** The least CPU of each over the rounds, the two measured in turn so neither runs on a warmer JIT. */
function leastOfRounds(
  plain: readonly StreamRecord[],
  aggregated: readonly StreamRecord[],
  now: number,
): [{ micros: number; events: number }, { micros: number; events: number }] {
  let base = { micros: Number.POSITIVE_INFINITY, events: 0 };
  let kpl = { micros: Number.POSITIVE_INFINITY, events: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const a = cpuOfDecode(plain, now);
    const b = cpuOfDecode(aggregated, now);
    if (a.micros < base.micros) base = a;
    if (b.micros < kpl.micros) kpl = b;
  }
  return [base, kpl];
}

/** Least CPU µs over the rounds of de-aggregating alone (MD5, protobuf, the library's base64 round trip). */
function cpuOfDeaggregation(records: readonly StreamRecord[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const before = cpuMicros();
    records.flatMap(userRecordsOf);
    best = Math.min(best, cpuMicros() - before);
  }
  return best;
}

/** N plain records against the same N events in KPL aggregates: µs per event and the ratio. */
export async function kplDecodeBench(): Promise<string[]> {
  const start = Date.UTC(2026, 9, 1);
  const users: { partitionKey: string; data: Uint8Array; at: number }[] = [];
  for (const { partitionKey, event, at } of simulate({ customers: 500, days: 14, seed: 7, start })) {
    users.push({ partitionKey, data: encoder.encode(JSON.stringify(event)), at });
    if (users.length >= EVENTS) break;
  }
  const now = users.reduce((max, user) => Math.max(max, user.at), 0);
  const plain = users.map((user, index) => record(index + 1, user.partitionKey, user.data, user.at));
  const aggregated: StreamRecord[] = [];
  for (let i = 0; i < users.length; i += PER_AGGREGATE) {
    const slice = users.slice(i, i + PER_AGGREGATE);
    for (const data of await kplAggregate(slice)) {
      aggregated.push(record(aggregated.length + 1, slice[0]?.partitionKey ?? "", data, now));
    }
  }
  leastOfRounds(plain.slice(0, 2000), aggregated.slice(0, 20), now); // warm up both paths
  const [base, kpl] = leastOfRounds(plain, aggregated, now);
  const perEvent = (figures: { micros: number; events: number }) =>
    figures.micros / Math.max(1, figures.events);
  const added = perEvent(kpl) - perEvent(base);
  const alone = cpuOfDeaggregation(aggregated) / users.length;
  return [
    `decode of ${users.length} simulator events (least CPU of ${ROUNDS} rounds): ${base.events} decoded plain, ${kpl.events} from ${aggregated.length} KPL aggregates`,
    `  plain records (one event each)       ${perEvent(base).toFixed(2)} µs/event`,
    `  KPL-aggregated (${PER_AGGREGATE} per record)     ${perEvent(kpl).toFixed(2)} µs/event`,
    `  ratio ×${(perEvent(kpl) / perEvent(base)).toFixed(2)}: ${added.toFixed(2)} µs/event more in this run`,
    `  de-aggregation alone                 ${alone.toFixed(2)} µs/event`,
  ];
}
