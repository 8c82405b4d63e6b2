import { z } from "zod";
import { LOCAL_NAME_TAG } from "../local-names.js";
import { TemplateError } from "./local-errors.js";

/** A property value as it stands in a template: a literal or an intrinsic function, resolved later. */
const value = z.unknown();

const tags = z.array(z.object({ Key: z.string(), Value: value })).optional();

const keySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(["HASH", "RANGE"]) }));

/** A property the app's template never declares and the local stack does not implement: refused, not ignored. */
const unsupported = (what: string) =>
  z.undefined({ error: `${what} is not supported by the local stack (the app declares none)` }).optional();

/** `AWS::Kinesis::Stream` properties the local stack uses. */
export const streamProperties = z.looseObject({
  Name: z.string().optional(),
  ShardCount: z.coerce.number().int().positive().optional(),
  StreamModeDetails: z.looseObject({ StreamMode: z.string() }).optional(),
  Tags: tags,
});

/** A global secondary index as the local stack creates it (dynalite answers Query on it). */
const globalIndex = z.looseObject({
  IndexName: z.string(),
  KeySchema: keySchema,
  Projection: z.object({
    ProjectionType: z.enum(["ALL", "KEYS_ONLY", "INCLUDE"]),
    NonKeyAttributes: z.array(z.string()).optional(),
  }),
});

/**
 * `AWS::DynamoDB::Table` properties the local stack uses: keys, global secondary indexes, on-demand billing (the
 * app's tables are all on-demand; a local index or provisioned capacity is refused, naming the property).
 * `TimeToLiveSpecification` is accepted and ignored: dynalite has no TTL, so nothing expires locally.
 */
export const tableProperties = z.looseObject({
  TableName: z.string().optional(),
  KeySchema: keySchema,
  AttributeDefinitions: z.array(
    z.object({ AttributeName: z.string(), AttributeType: z.enum(["S", "N", "B"]) }),
  ),
  BillingMode: z.literal("PAY_PER_REQUEST"),
  ProvisionedThroughput: unsupported("ProvisionedThroughput"),
  GlobalSecondaryIndexes: z.array(globalIndex).optional(),
  LocalSecondaryIndexes: unsupported("LocalSecondaryIndexes"),
  Tags: tags,
});

/** `AWS::S3::Bucket` properties the local stack uses. */
export const bucketProperties = z.looseObject({ BucketName: z.string().optional(), Tags: tags });

/** `AWS::SQS::Queue` properties the local stack uses (the rest are ignored locally: encryption, policies). */
export const queueProperties = z.looseObject({
  QueueName: z.string().optional(),
  MessageRetentionPeriod: z.coerce.number().optional(),
  VisibilityTimeout: z.coerce.number().optional(),
  FifoQueue: unsupported("FifoQueue"),
  RedrivePolicy: value.optional(),
  Tags: tags,
});

/** `AWS::Lambda::Function` properties the local stack uses. */
export const functionProperties = z.looseObject({
  FunctionName: z.string().optional(),
  /** `<file>.<export>`: the export is the handler the local stack calls. */
  Handler: z.string().optional(),
  Environment: z.looseObject({ Variables: z.record(z.string(), value).optional() }).optional(),
  MemorySize: z.coerce.number().int().positive().optional(),
  Timeout: z.coerce.number().positive().optional(),
  Tags: tags,
});

/** `AWS::Lambda::EventSourceMapping` properties: the settings the pollers honour. */
export const eventSourceMappingProperties = z.looseObject({
  EventSourceArn: value,
  FunctionName: value,
  Enabled: z.boolean().optional(),
  BatchSize: z.coerce.number().int().positive().optional(),
  MaximumBatchingWindowInSeconds: z.coerce.number().min(0).optional(),
  StartingPosition: z.enum(["TRIM_HORIZON", "LATEST"]).optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  MaximumRetryAttempts: z.coerce.number().int().min(-1).optional(),
  MaximumRecordAgeInSeconds: z.coerce.number().int().min(-1).optional(),
  ParallelizationFactor: z.coerce.number().int().positive().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  ScalingConfig: z
    .looseObject({ MaximumConcurrency: z.coerce.number().int().positive().optional() })
    .optional(),
  DestinationConfig: z
    .looseObject({ OnFailure: z.looseObject({ Destination: value }).optional() })
    .optional(),
});

/** `AWS::Events::Rule` properties the local scheduler uses. */
export const ruleProperties = z.looseObject({
  Name: z.string().optional(),
  ScheduleExpression: z.string().optional(),
  /** An object, or the same as a JSON string. */
  EventPattern: value.optional(),
  EventBusName: value.optional(),
  State: z.string().optional(),
  Targets: z
    .array(
      z.looseObject({
        Id: z.string(),
        Arn: value,
        Input: value.optional(),
        InputPath: unsupported("InputPath"),
        InputTransformer: value.optional(),
      }),
    )
    .optional(),
  Tags: tags,
});

/** The targets of an `AWS::Events::Rule`. */
export type RuleTargetProperties = NonNullable<z.infer<typeof ruleProperties>["Targets"]>[number];

/** `AWS::SecretsManager::Secret` properties the local stack uses. */
export const secretProperties = z.looseObject({
  Name: z.string().optional(),
  Tags: tags,
  GenerateSecretString: z
    .looseObject({ SecretStringTemplate: z.string().optional(), GenerateStringKey: z.string().optional() })
    .optional(),
});

/** `AWS::ApiGatewayV2::Api` properties the local stack uses. */
export const httpApiProperties = z.looseObject({
  Name: value.optional(),
  ProtocolType: z.string().optional(),
});

/** `AWS::ApiGatewayV2::Route` properties the local stack uses. */
export const httpRouteProperties = z.looseObject({
  ApiId: value,
  RouteKey: z.string(),
  Target: value.optional(),
  AuthorizationType: z.string().optional(),
});

/** `AWS::ApiGatewayV2::Integration` properties the local stack uses. */
export const httpIntegrationProperties = z.looseObject({
  ApiId: value,
  IntegrationType: z.string(),
  IntegrationUri: value.optional(),
  PayloadFormatVersion: z.string().optional(),
});

/** `AWS::ApiGatewayV2::Stage` properties the local stack uses. */
export const httpStageProperties = z.looseObject({ ApiId: value, StageName: z.string() });

const resource = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), value).optional(),
  Metadata: z.record(z.string(), value).optional(),
});

/** The parts of a CloudFormation template the local stack reads. */
export const templateSchema = z.looseObject({
  Resources: z.record(z.string(), resource),
  Parameters: z.record(z.string(), z.looseObject({ Default: value.optional() })).optional(),
});

export type Template = z.infer<typeof templateSchema>;
export type TemplateResource = z.infer<typeof resource>;

/** Parses a template object (synthesised or a fixture); names what is wrong. */
export function parseTemplate(input: unknown): Template {
  const parsed = templateSchema.safeParse(input);
  if (!parsed.success) throw new TemplateError(`not a CloudFormation template: ${parsed.error.message}`);
  return parsed.data;
}

/** Parses one resource's properties with its schema, naming the resource on failure. */
export function parseProperties<S extends z.ZodType>(
  logicalId: string,
  resource: TemplateResource,
  schema: S,
): z.infer<S> {
  const parsed = schema.safeParse(resource.Properties ?? {});
  if (!parsed.success) {
    throw new TemplateError(
      `${logicalId} (${resource.Type}): unexpected properties: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/** The value of the `tailor:local-name` tag, if the tags carry one as a literal string. */
export function localNameTag(
  tagList: readonly { Key: string; Value: unknown }[] | undefined,
): string | undefined {
  const tag = tagList?.find((t) => t.Key === LOCAL_NAME_TAG);
  return typeof tag?.Value === "string" ? tag.Value : undefined;
}
