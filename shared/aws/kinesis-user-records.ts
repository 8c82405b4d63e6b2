import { deaggregateSync, type UserRecord } from "aws-kinesis-agg";
import type { StreamRecord } from "../ports.js";

/** The first bytes of a KPL-aggregated record (then a protobuf `AggregatedRecord`, then the MD5 of it). */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;

/** Whether the bytes start with the KPL aggregation magic number. */
export function isKplAggregated(data: Uint8Array): boolean {
  return KPL_MAGIC.every((byte, index) => data[index] === byte);
}

/**
 * The user records of one stream record, in order. A record written by the Kinesis Producer Library (or the
 * Kinesis Agent, or any producer using the KPL aggregation format) is de-aggregated with the awslabs library
 * `aws-kinesis-agg`, its MD5 checked: each user record keeps the aggregate's sequence number and arrival time,
 * its position (`subSequenceNumber`) and its own partition key. (Not its explicit hash key: the library reports
 * the table's first entry for a user record that has none, so the value cannot be trusted.) Any other record is its
 * own single user record. An aggregate whose body is corrupt (bad MD5, bad protobuf, no user records) comes back
 * whole, marked `unreadable` with the reason, for the quarantine.
 */
export function userRecordsOf(record: StreamRecord): StreamRecord[] {
  if (!isKplAggregated(record.data)) return [record];
  const errors: string[] = [];
  let users: UserRecord[] = [];
  try {
    deaggregateSync(
      {
        data: Buffer.from(record.data).toString("base64"),
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        kinesisSchemaVersion: "1.0",
        approximateArrivalTimestamp: record.approximateArrivalTimestamp / 1000,
      },
      true,
      (error: Error | undefined, found: UserRecord[] | undefined) => {
        if (error) errors.push(error.message);
        else users = found ?? [];
      },
    );
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  }
  if (errors.length === 0 && users.length === 0) errors.push("it holds no user records");
  if (errors.length > 0) {
    return [{ ...record, unreadable: `KPL-aggregated record is corrupt: ${errors.join("; ")}` }];
  }
  return users.map((user, index) => ({
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: user.subSequenceNumber ?? index,
    partitionKey: user.partitionKey ?? record.partitionKey,
    shardId: record.shardId,
    data: Buffer.from(user.data, "base64"),
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
  }));
}
