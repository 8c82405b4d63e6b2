import { aggregate } from "aws-kinesis-agg";

/** A user record to aggregate: what a KPL producer is given. */
export interface UserRecordInput {
  readonly partitionKey: string;
  readonly data: Uint8Array | string;
  readonly explicitHashKey?: string;
}

/**
 * The KPL-aggregated records the awslabs library (`aws-kinesis-agg`, the same format as the Kinesis Producer
 * Library) makes of `records`: one per 1 MiB of user records, each magic + protobuf + MD5.
 */
export function kplAggregate(records: readonly UserRecordInput[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const aggregated: Buffer[] = [];
    aggregate(
      records.map((record) => ({
        partitionKey: record.partitionKey,
        data: Buffer.from(record.data),
        ...(record.explicitHashKey === undefined ? {} : { explicitHashKey: record.explicitHashKey }),
      })),
      (encoded, callback) => {
        aggregated.push(encoded.data);
        callback();
      },
      () => resolve(aggregated),
      (error) => reject(error),
    );
  });
}
