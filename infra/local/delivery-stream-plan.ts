import { z } from "zod";
import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import { localNameTag, parseProperties, type TemplateResource } from "./cfn-template.js";
import { TemplateError } from "./local-errors.js";

/**
 * A Firehose delivery stream from a Kinesis stream to an S3 bucket, as the local stack runs it: another consumer
 * of the stream, its transform function invoked with Firehose's event, gzip objects written to the local S3.
 */
export interface DeliveryStreamSpec {
  readonly logicalId: string;
  /** Its local name (the `tailor:local-name` tag), else its logical id. */
  readonly name: string;
  readonly arn: string;
  readonly streamName: string;
  readonly streamArn: string;
  readonly bucketName: string;
  /** `Prefix`, with its `!{timestamp:…}` expressions. */
  readonly prefix: string;
  /** `ErrorOutputPrefix`, with its `!{firehose:error-output-type}`. */
  readonly errorPrefix: string;
  /** `BufferingHints`: an object at this many bytes at most. */
  readonly bufferBytes: number;
  readonly bufferIntervalSeconds: number;
  readonly compression: "GZIP" | "UNCOMPRESSED";
  /** The Lambda processor, when the template has one. */
  readonly processor:
    | {
        readonly functionName: string;
        readonly functionArn: string;
        /** Records handed to one invocation, in bytes (`BufferSizeInMBs`, Firehose's default 1 MB). */
        readonly bufferBytes: number;
        /** Invocations retried after a failure (`NumberOfRetries`, default 3). */
        readonly retries: number;
      }
    | undefined;
}

const value = z.unknown();
const MB = 1024 * 1024;

/** `AWS::KinesisFirehose::DeliveryStream` properties the local stack uses: a Kinesis source, an S3 destination. */
const deliveryStreamProperties = z.looseObject({
  DeliveryStreamType: z.literal("KinesisStreamAsSource"),
  KinesisStreamSourceConfiguration: z.looseObject({ KinesisStreamARN: value }),
  ExtendedS3DestinationConfiguration: z.looseObject({
    BucketARN: value,
    Prefix: z.string().optional(),
    ErrorOutputPrefix: z.string().optional(),
    CompressionFormat: z.enum(["GZIP", "UNCOMPRESSED"]).optional(),
    BufferingHints: z
      .looseObject({
        SizeInMBs: z.coerce.number().positive().optional(),
        IntervalInSeconds: z.coerce.number().min(0).optional(),
      })
      .optional(),
    ProcessingConfiguration: z
      .looseObject({
        Enabled: z.boolean().optional(),
        Processors: z
          .array(
            z.looseObject({
              Type: z.string(),
              Parameters: z.array(z.object({ ParameterName: z.string(), ParameterValue: value })).optional(),
            }),
          )
          .optional(),
      })
      .optional(),
  }),
  Tags: z.array(z.object({ Key: z.string(), Value: value })).optional(),
});

/** What planning the delivery streams needs from the rest of the plan. */
export interface DeliveryStreamPlanContext {
  readonly ctx: ResolveContext;
  readonly streams: readonly { readonly name: string; readonly arn: string }[];
  readonly buckets: readonly { readonly name: string }[];
  readonly functions: readonly { readonly name: string; readonly arn: string }[];
  readonly region: string;
  readonly accountId: string;
  readonly notes: string[];
}

const TYPE = "AWS::KinesisFirehose::DeliveryStream";

/**
 * The template's Firehose delivery streams that read a local stream into a local bucket (the others are left out
 * with a note). A delivery stream of another kind (Direct PUT, another destination) is refused by its properties'
 * schema, naming it: the app declares none.
 */
export function planDeliveryStreams(
  resources: Readonly<Record<string, TemplateResource>>,
  known: DeliveryStreamPlanContext,
): DeliveryStreamSpec[] {
  const specs: DeliveryStreamSpec[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== TYPE) continue;
    const properties = parseProperties(logicalId, resource, deliveryStreamProperties);
    const where = (path: string) => `${logicalId} ${path}`;
    const streamArn = resolveString(
      properties.KinesisStreamSourceConfiguration.KinesisStreamARN,
      known.ctx,
      where("KinesisStreamARN"),
    );
    const s3 = properties.ExtendedS3DestinationConfiguration;
    const bucketArn = resolveString(s3.BucketARN, known.ctx, where("BucketARN"));
    const stream = known.streams.find((s) => s.arn === streamArn);
    const bucket = known.buckets.find((b) => `arn:aws:s3:::${b.name}` === bucketArn);
    if (stream === undefined || bucket === undefined) {
      known.notes.push(`${logicalId}: ${streamArn} → ${bucketArn} is not a local stream and bucket: not run`);
      continue;
    }
    const name = localNameTag(properties.Tags) ?? logicalId;
    specs.push({
      logicalId,
      name,
      arn: `arn:aws:firehose:${known.region}:${known.accountId}:deliverystream/${name}`,
      streamName: stream.name,
      streamArn,
      bucketName: bucket.name,
      prefix: s3.Prefix ?? "",
      errorPrefix: s3.ErrorOutputPrefix ?? "",
      bufferBytes: (s3.BufferingHints?.SizeInMBs ?? 5) * MB,
      bufferIntervalSeconds: s3.BufferingHints?.IntervalInSeconds ?? 300,
      compression: s3.CompressionFormat ?? "UNCOMPRESSED",
      processor: planProcessor(logicalId, s3.ProcessingConfiguration, known),
    });
  }
  return specs;
}

function planProcessor(
  logicalId: string,
  configuration: z.infer<
    typeof deliveryStreamProperties
  >["ExtendedS3DestinationConfiguration"]["ProcessingConfiguration"],
  known: DeliveryStreamPlanContext,
): DeliveryStreamSpec["processor"] {
  if (configuration === undefined || configuration.Enabled === false) return undefined;
  const processors = configuration.Processors ?? [];
  const lambda = processors.filter((p) => p.Type === "Lambda");
  if (lambda.length !== processors.length || lambda.length > 1) {
    throw new TemplateError(`${logicalId}: only one Lambda processor is supported by the local stack`);
  }
  const [processor] = lambda;
  if (processor === undefined) return undefined;
  const parameter = (name: string): string | undefined => {
    const found = processor.Parameters?.find((p) => p.ParameterName === name);
    return found === undefined
      ? undefined
      : resolveString(found.ParameterValue, known.ctx, `${logicalId} ${name}`);
  };
  const arn = parameter("LambdaArn");
  const fn = known.functions.find((f) => f.arn === arn || `${f.arn}:$LATEST` === arn);
  if (fn === undefined)
    throw new TemplateError(`${logicalId}: its processor ${arn} is no function of the stack`);
  return {
    functionName: fn.name,
    functionArn: fn.arn,
    bufferBytes: Number(parameter("BufferSizeInMBs") ?? 1) * MB,
    retries: Number(parameter("NumberOfRetries") ?? 3),
  };
}
