import { describe, expect, it } from "vitest";
import { ARCHIVE_ERROR_PREFIX, ARCHIVE_S3_PREFIX } from "#infra/components/event-archive.js";
import { expandFirehosePrefix } from "#infra/local/firehose-prefix.js";
import { TemplateError } from "#infra/local/local-errors.js";
import { planResources } from "#infra/local/resource-plan.js";
import { archiveHourPrefix } from "#shared/domain/events/archived-record.js";

const options = { region: "us-east-1", accountId: "000000000000", sqsEndpoint: "http://127.0.0.1:1" };
const tag = (name: string) => [{ Key: "tailor:local-name", Value: name }];

/** A template of a stream, a bucket, a transform and the delivery stream between them, as the app declares it. */
function template(delivery: Record<string, unknown> = {}) {
  return {
    Resources: {
      Stream: { Type: "AWS::Kinesis::Stream", Properties: { ShardCount: 1, Tags: tag("events") } },
      Bucket: { Type: "AWS::S3::Bucket", Properties: { Tags: tag("archive") } },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Handler: "index.handler", Tags: tag("transform") },
        Metadata: { "tailor:entry": "functions/archive/handler.ts" },
      },
      Delivery: {
        Type: "AWS::KinesisFirehose::DeliveryStream",
        Properties: {
          DeliveryStreamType: "KinesisStreamAsSource",
          KinesisStreamSourceConfiguration: { KinesisStreamARN: { "Fn::GetAtt": ["Stream", "Arn"] } },
          ExtendedS3DestinationConfiguration: {
            BucketARN: { "Fn::GetAtt": ["Bucket", "Arn"] },
            Prefix: ARCHIVE_S3_PREFIX,
            ErrorOutputPrefix: ARCHIVE_ERROR_PREFIX,
            CompressionFormat: "GZIP",
            BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [
                {
                  Type: "Lambda",
                  Parameters: [
                    { ParameterName: "LambdaArn", ParameterValue: { "Fn::GetAtt": ["Fn", "Arn"] } },
                    { ParameterName: "BufferSizeInMBs", ParameterValue: "1" },
                  ],
                },
              ],
            },
          },
          Tags: tag("archive"),
          ...delivery,
        },
      },
    },
  };
}

describe("the local plan of a Firehose delivery stream", () => {
  it("reads the source stream, bucket, prefixes, buffering and processor from the template", () => {
    // WHEN
    const [spec, ...more] = planResources(template(), options).deliveryStreams;
    // THEN
    expect(more).toEqual([]);
    expect(spec).toEqual({
      logicalId: "Delivery",
      name: "archive",
      arn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/archive",
      streamName: "events",
      streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/events",
      bucketName: "archive",
      prefix: ARCHIVE_S3_PREFIX,
      errorPrefix: ARCHIVE_ERROR_PREFIX,
      bufferBytes: 5 * 1024 * 1024,
      bufferIntervalSeconds: 300,
      compression: "GZIP",
      processor: {
        functionName: "transform",
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:transform",
        bufferBytes: 1024 * 1024,
        retries: 3,
      },
    });
  });

  it("refuses a delivery stream the local stack cannot run, naming it", () => {
    expect(() => planResources(template({ DeliveryStreamType: "DirectPut" }), options)).toThrow(
      /Delivery \(AWS::KinesisFirehose::DeliveryStream\)/,
    );
  });
});

describe("expandFirehosePrefix", () => {
  it("expands the app's prefix, in UTC, to the hour prefix the archive's readers list", () => {
    for (const ms of [Date.UTC(2026, 11, 6, 18, 59, 59), Date.UTC(2027, 0, 1, 0, 0, 0), 1_800_000_000_123]) {
      expect(expandFirehosePrefix(ARCHIVE_S3_PREFIX, ms)).toBe(archiveHourPrefix(ms));
    }
  });

  it("expands the error output type, and refuses an expression it does not know", () => {
    const ms = Date.UTC(2026, 1, 3, 4, 5, 6);
    expect(expandFirehosePrefix(ARCHIVE_ERROR_PREFIX, ms, { errorOutputType: "processing-failed" })).toBe(
      "errors/processing-failed/year=2026/month=02/day=03/hour=04/",
    );
    expect(expandFirehosePrefix("x/!{timestamp:yyyy-MM-dd HH:mm:ss}/", ms)).toBe("x/2026-02-03 04:05:06/");
    expect(() => expandFirehosePrefix(ARCHIVE_ERROR_PREFIX, ms)).toThrow(TemplateError);
    expect(() => expandFirehosePrefix("!{partitionKeyFromQuery:id}/", ms)).toThrow(/partitionKeyFromQuery/);
  });
});
