import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";

const utf8 = new TextDecoder();

/** One call as it lies on the stream, with the partition key of its record. */
export interface StreamCall {
  readonly partitionKey: string;
  readonly call: Record<string, unknown>;
}

/**
 * Every call on the stream from its start: each record read as JSON, a JSON array as its elements in order
 * (how the HTTP API writes one customer's calls). Records that are not JSON objects or arrays are left out.
 */
export async function readStreamCalls(kinesis: KinesisClient, stream: string): Promise<StreamCall[]> {
  const calls: StreamCall[] = [];
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.ShardId,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      )
    ).ShardIterator;
    while (iterator !== undefined) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const record of out.Records ?? []) {
        let value: unknown;
        try {
          value = JSON.parse(utf8.decode(record.Data));
        } catch {
          continue;
        }
        for (const item of Array.isArray(value) ? value : [value]) {
          if (typeof item === "object" && item !== null && !Array.isArray(item)) {
            calls.push({
              partitionKey: record.PartitionKey ?? "",
              call: Object.fromEntries(Object.entries(item)),
            });
          }
        }
      }
      iterator = (out.Records ?? []).length === 0 ? undefined : out.NextShardIterator;
    }
  }
  return calls;
}
