import { KinesisClient, PutRecordsCommand, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { KinesisRecordStream, StreamRefusedError } from "#shared/aws/kinesis-record-stream.js";
import { DependencyUnavailableError } from "#shared/errors.js";

// aws-sdk-client-mock injects what kinesalite cannot produce: partial failures and refused calls.
const kinesis = mockClient(KinesisClient);
afterEach(() => kinesis.reset());

const stream = () => new KinesisRecordStream({ client: new KinesisClient({}), streamName: "events" });
const entries = ["a", "b", "c"].map((key) => ({ partitionKey: key, data: Buffer.from(`{"k":"${key}"}`) }));

describe("KinesisRecordStream", () => {
  it("puts the entries as given and names the refused ones by position", async () => {
    kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 2,
      Records: [
        { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" },
        { SequenceNumber: "1", ShardId: "shardId-000000000000" },
      ],
    });
    const result = await stream().putRecords(entries);
    expect(result.refused).toEqual([
      { index: 0, code: "ProvisionedThroughputExceededException" },
      { index: 2, code: "NoResult" },
    ]);
    const input = kinesis.commandCalls(PutRecordsCommand)[0]?.args[0].input;
    expect(input?.StreamName).toBe("events");
    expect(input?.Records?.map((r) => [r.PartitionKey, Buffer.from(r.Data ?? []).toString()])).toEqual([
      ["a", '{"k":"a"}'],
      ["b", '{"k":"b"}'],
      ["c", '{"k":"c"}'],
    ]);
  });

  it("throws a retryable error for a call that failed for a passing reason, a permanent one otherwise", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ProvisionedThroughputExceededException",
      $metadata: { httpStatusCode: 400 },
    });
    kinesis.on(PutRecordsCommand).rejectsOnce(throttled).rejectsOnce(new Error("socket hang up"));
    await expect(stream().putRecords(entries)).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(stream().putRecords(entries)).rejects.toBeInstanceOf(DependencyUnavailableError);

    kinesis.on(PutRecordsCommand).rejects(
      new ResourceNotFoundException({
        message: "Stream events not found",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await stream()
      .putRecords(entries)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamRefusedError);
    expect(error).toMatchObject({ retryable: false, message: "PutRecords to events failed" });
  });
});
