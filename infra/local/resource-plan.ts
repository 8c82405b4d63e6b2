import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { ENTRY_METADATA } from "../local-names.js";
import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import {
  bucketProperties,
  eventSourceMappingProperties,
  functionProperties,
  localNameTag,
  parseProperties,
  parseTemplate,
  queueProperties,
  secretProperties,
  streamProperties,
  type TemplateResource,
  tableProperties,
} from "./cfn-template.js";
import { type DeliveryStreamSpec, planDeliveryStreams } from "./delivery-stream-plan.js";
import { defaultKinesisMappingSettings, type KinesisMappingSettings } from "./event-source-mapping.js";
import { awsApiEndpoint, type HttpApiSpec, planHttpApis } from "./http-api-plan.js";
import { TemplateError } from "./local-errors.js";
import { type EventRuleSpec, planRule, type ScheduleSpec } from "./schedule-plan.js";
import { type SqsMappingSpec, sqsMappingSettings } from "./sqs-mapping-plan.js";

export type { DeliveryStreamSpec } from "./delivery-stream-plan.js";
export type { HttpApiSpec, HttpRouteSpec } from "./http-api-plan.js";
export type { EventRuleSpec, ScheduleSpec, ScheduleTargetSpec } from "./schedule-plan.js";
export type { SqsMappingSpec } from "./sqs-mapping-plan.js";

export interface StreamSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly shardCount: number;
}

export interface TableSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The `CreateTable` request, keys and indexes as the template declares them. */
  readonly input: CreateTableCommandInput;
}

export interface BucketSpec {
  readonly logicalId: string;
  readonly name: string;
}

export interface QueueSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The local queue URL (`<sqs endpoint>/<account>/<name>`), which is what `Ref` gives for a queue. */
  readonly url: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A Secrets Manager secret: a secret file under the data dir locally. */
export interface SecretSpec {
  readonly logicalId: string;
  readonly name: string;
  /** What `Ref` gives for it (as on AWS): the ARN the functions' environments hold. */
  readonly arn: string;
  /**
   * The JSON template and the key the generated string goes under (`GenerateSecretString`'s
   * `SecretStringTemplate` and `GenerateStringKey`). @default - the value is the generated string alone
   */
  readonly generateInto?: { readonly template: string; readonly key: string };
}

export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `Environment.Variables` with every intrinsic resolved to local names, URLs and ARNs. */
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /**
   * The handler's entry file, relative to the repository root, from the function's `tailor:entry` metadata
   * (which `ProjectFunction` writes); `undefined` for a function that has none, which the local stack cannot run.
   */
  readonly entry: string | undefined;
  /** The handler's export name: what follows the last `.` of the function's `Handler` (`index.plan` → `plan`). */
  readonly handler: string;
}

export interface KinesisMappingSpec {
  readonly logicalId: string;
  /** Local name of the function it invokes. */
  readonly functionName: string;
  readonly streamName: string;
  readonly streamArn: string;
  readonly settings: KinesisMappingSettings;
  /** `DestinationConfig.OnFailure`: the queue that receives Lambda's on-failure records. */
  readonly onFailure: QueueSpec | undefined;
}

/** Everything the template declares that the local stack creates or runs. */
export interface ResourcePlan {
  readonly streams: readonly StreamSpec[];
  readonly tables: readonly TableSpec[];
  readonly buckets: readonly BucketSpec[];
  readonly queues: readonly QueueSpec[];
  readonly functions: readonly FunctionSpec[];
  readonly kinesisMappings: readonly KinesisMappingSpec[];
  /** SQS event source mappings: a poller per queue and function. */
  readonly sqsMappings: readonly SqsMappingSpec[];
  /** EventBridge rules with a `rate(...)` or `cron(...)` schedule and their function targets. */
  readonly schedules: readonly ScheduleSpec[];
  /** EventBridge rules with an event pattern (default bus) and their function targets. */
  readonly eventRules: readonly EventRuleSpec[];
  /** HTTP APIs whose routes invoke local functions. */
  readonly httpApis: readonly HttpApiSpec[];
  /** Firehose delivery streams from a local stream to a local bucket (the raw event archive). */
  readonly deliveryStreams: readonly DeliveryStreamSpec[];
  readonly secrets: readonly SecretSpec[];
  /** Logical id → local name, for every resource created or run locally. */
  readonly names: Readonly<Record<string, string>>;
  /** What was left out and why (untagged resources, unsupported event sources and schedules). */
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly region: string;
  readonly accountId: string;
  /** Base URL of the SQS emulator, for queue URLs. */
  readonly sqsEndpoint: string;
  /** For `AWS::StackName`. Default `tailor`. */
  readonly stackName?: string;
}

const TYPES = {
  stream: "AWS::Kinesis::Stream",
  table: "AWS::DynamoDB::Table",
  bucket: "AWS::S3::Bucket",
  queue: "AWS::SQS::Queue",
  function: "AWS::Lambda::Function",
  mapping: "AWS::Lambda::EventSourceMapping",
  rule: "AWS::Events::Rule",
  secret: "AWS::SecretsManager::Secret",
  httpApi: "AWS::ApiGatewayV2::Api",
} as const;

const QUEUE_ATTRIBUTES = ["MessageRetentionPeriod", "VisibilityTimeout"] as const;

/** The `tailor:local-name` of a resource. */
function tagOf(resource: TemplateResource): string | undefined {
  const properties = resource.Properties ?? {};
  const list: unknown[] = Array.isArray(properties.Tags) ? properties.Tags : [];
  const tags = list.flatMap((tag) =>
    typeof tag === "object" && tag !== null && "Key" in tag && typeof tag.Key === "string" && "Value" in tag
      ? [{ Key: tag.Key, Value: tag.Value }]
      : [],
  );
  return localNameTag(tags);
}

/** The physical name property a template may set instead of (or as well as) the tag. */
function explicitName(resource: TemplateResource): string | undefined {
  const properties = resource.Properties ?? {};
  for (const key of ["Name", "TableName", "BucketName", "QueueName", "FunctionName"]) {
    const candidate = properties[key];
    if (typeof candidate === "string") return candidate;
  }
  return undefined;
}

function arnOf(type: string, name: string, options: PlanOptions): string {
  const { region, accountId } = options;
  switch (type) {
    case TYPES.stream:
      return `arn:aws:kinesis:${region}:${accountId}:stream/${name}`;
    case TYPES.table:
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
    case TYPES.bucket:
      return `arn:aws:s3:::${name}`;
    case TYPES.queue:
      return `arn:aws:sqs:${region}:${accountId}:${name}`;
    case TYPES.function:
      return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
    case TYPES.rule:
      return `arn:aws:events:${region}:${accountId}:rule/${name}`;
    case TYPES.secret:
      return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}`;
    default: {
      const service = type.split("::")[1]?.toLowerCase() ?? "local";
      return `arn:aws:${service}:${region}:${accountId}:${name}`;
    }
  }
}

const LOCAL_TYPES: ReadonlySet<string> = new Set([
  TYPES.stream,
  TYPES.table,
  TYPES.bucket,
  TYPES.queue,
  TYPES.function,
]);

/**
 * Reads a synthesised CloudFormation template into what the local stack must create and run: each stateful
 * resource and function tagged `tailor:local-name` (untagged ones are left out, with a note), each function's
 * environment resolved to local names, URLs and ARNs, and each Kinesis event source mapping's settings.
 * Pure: no I/O, so it is tested on a fixture.
 */
export function planResources(input: unknown, options: PlanOptions): ResourcePlan {
  const template = parseTemplate(input);
  const resources = template.Resources;
  const notes: string[] = [];
  const names: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!LOCAL_TYPES.has(resource.Type)) continue;
    const name = tagOf(resource) ?? explicitName(resource);
    if (name === undefined) {
      notes.push(`${logicalId} (${resource.Type}) has no tailor:local-name tag: not created locally`);
      continue;
    }
    names[logicalId] = name;
  }
  // A rule is not created, only run, and a secret is a local file: they need no tag, and go by their tag,
  // their Name or their logical id.
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === TYPES.rule || resource.Type === TYPES.secret)
      names[logicalId] = tagOf(resource) ?? explicitName(resource) ?? logicalId;
  }

  const queueUrl = (name: string) => `${options.sqsEndpoint.replace(/\/$/, "")}/${options.accountId}/${name}`;
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (typeof parameter.Default === "string") parameters[name] = parameter.Default;
  }
  const ctx: ResolveContext = {
    region: options.region,
    accountId: options.accountId,
    stackName: options.stackName ?? "tailor",
    parameters,
    ref: (logicalId) => {
      const resource = resources[logicalId];
      if (resource === undefined) return undefined;
      const name = names[logicalId] ?? logicalId;
      if (resource.Type === TYPES.queue) return queueUrl(name);
      return resource.Type === TYPES.secret ? arnOf(resource.Type, name, options) : name;
    },
    getAtt: (logicalId, attribute) => {
      const resource = resources[logicalId];
      if (resource === undefined) return undefined;
      const name = names[logicalId] ?? logicalId;
      const arn = arnOf(resource.Type, name, options);
      switch (`${resource.Type}.${attribute}`) {
        case `${TYPES.queue}.QueueUrl`:
          return queueUrl(name);
        case `${TYPES.queue}.QueueName`:
        case `${TYPES.table}.TableName`:
          return name;
        case `${TYPES.table}.StreamArn`:
          return `${arn}/stream/local`;
        case `${TYPES.bucket}.DomainName`:
          return `${name}.s3.amazonaws.com`;
        case `${TYPES.bucket}.RegionalDomainName`:
          return `${name}.s3.${options.region}.amazonaws.com`;
        case `${TYPES.httpApi}.ApiEndpoint`:
          return awsApiEndpoint(name, options.region);
        case `${TYPES.httpApi}.ApiId`:
          return name;
        default:
          return attribute === "Arn" ? arn : undefined;
      }
    },
  };

  const streams: StreamSpec[] = [];
  const tables: TableSpec[] = [];
  const buckets: BucketSpec[] = [];
  const queues: QueueSpec[] = [];
  const functions: FunctionSpec[] = [];
  const secrets: SecretSpec[] = [];
  const mappingIds: string[] = [];
  const ruleIds: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    const name = names[logicalId];
    if (resource.Type === TYPES.mapping) mappingIds.push(logicalId);
    if (resource.Type === TYPES.rule) ruleIds.push(logicalId);
    if (name === undefined) continue;
    const arn = arnOf(resource.Type, name, options);
    switch (resource.Type) {
      case TYPES.stream: {
        const properties = parseProperties(logicalId, resource, streamProperties);
        // Kinesis on-demand streams start with 4 shards; kinesalite only knows provisioned ones.
        streams.push({ logicalId, name, arn, shardCount: properties.ShardCount ?? 4 });
        break;
      }
      case TYPES.table: {
        const properties = parseProperties(logicalId, resource, tableProperties);
        tables.push({
          logicalId,
          name,
          arn,
          input: {
            TableName: name,
            KeySchema: properties.KeySchema,
            AttributeDefinitions: properties.AttributeDefinitions,
            BillingMode: properties.BillingMode,
            ...(properties.GlobalSecondaryIndexes === undefined
              ? {}
              : {
                  GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes.map((index) => ({
                    IndexName: index.IndexName,
                    KeySchema: index.KeySchema,
                    Projection: index.Projection,
                  })),
                }),
          },
        });
        break;
      }
      case TYPES.bucket:
        parseProperties(logicalId, resource, bucketProperties);
        buckets.push({ logicalId, name });
        break;
      case TYPES.queue: {
        const properties = parseProperties(logicalId, resource, queueProperties);
        const attributes: Record<string, string> = {};
        for (const key of QUEUE_ATTRIBUTES) {
          const value = properties[key];
          if (value !== undefined) attributes[key] = String(value);
        }
        if (properties.RedrivePolicy !== undefined) {
          attributes.RedrivePolicy = JSON.stringify(resolveRedrive(properties.RedrivePolicy, ctx, logicalId));
        }
        queues.push({ logicalId, name, arn, url: queueUrl(name), attributes });
        break;
      }
      case TYPES.secret: {
        const generate = parseProperties(logicalId, resource, secretProperties).GenerateSecretString;
        const template = generate?.SecretStringTemplate;
        const key = generate?.GenerateStringKey;
        secrets.push({
          logicalId,
          name,
          arn,
          ...(template === undefined || key === undefined ? {} : { generateInto: { template, key } }),
        });
        break;
      }
      case TYPES.function: {
        const properties = parseProperties(logicalId, resource, functionProperties);
        const environment: Record<string, string> = {};
        for (const [key, value] of Object.entries(properties.Environment?.Variables ?? {})) {
          environment[key] = resolveString(value, ctx, `${logicalId} Environment.Variables.${key}`);
        }
        const entry = resource.Metadata?.[ENTRY_METADATA];
        functions.push({
          logicalId,
          name,
          arn,
          environment,
          memorySize: properties.MemorySize ?? 128,
          timeoutSeconds: properties.Timeout ?? 3,
          entry: typeof entry === "string" ? entry : undefined,
          handler: properties.Handler?.split(".").at(-1) ?? "handler",
        });
        break;
      }
    }
  }

  const kinesisMappings: KinesisMappingSpec[] = [];
  const sqsMappings: SqsMappingSpec[] = [];
  for (const logicalId of mappingIds) {
    const resource = resources[logicalId];
    if (resource === undefined) continue;
    const mapping = planMapping(logicalId, resource, { ctx, streams, queues, functions, notes });
    if (mapping?.kind === "kinesis") kinesisMappings.push(mapping.spec);
    if (mapping?.kind === "sqs") sqsMappings.push(mapping.spec);
  }
  const schedules: ScheduleSpec[] = [];
  const eventRules: EventRuleSpec[] = [];
  for (const logicalId of ruleIds) {
    const resource = resources[logicalId];
    const name = names[logicalId];
    if (resource === undefined || name === undefined) continue;
    const identity = { name, arn: arnOf(resource.Type, name, options) };
    const rule = planRule(logicalId, resource, identity, { ctx, functions, notes });
    if (rule?.kind === "schedule") schedules.push(rule.spec);
    if (rule?.kind === "pattern") eventRules.push(rule.spec);
  }
  const httpApis = planHttpApis(resources, { ctx, functions, notes });
  const { region, accountId } = options;
  const deliveryStreams = planDeliveryStreams(resources, {
    ctx,
    streams,
    buckets,
    functions,
    notes,
    region,
    accountId,
  });
  return {
    streams,
    tables,
    buckets,
    queues,
    functions,
    kinesisMappings,
    sqsMappings,
    schedules,
    eventRules,
    httpApis,
    deliveryStreams,
    secrets,
    names,
    notes,
  };
}

function resolveRedrive(policy: unknown, ctx: ResolveContext, logicalId: string): Record<string, string> {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw new TemplateError(`${logicalId}: RedrivePolicy must be an object`);
  }
  return Object.fromEntries(
    Object.entries(policy).map(([key, value]) => [
      key,
      resolveString(value, ctx, `${logicalId} RedrivePolicy`),
    ]),
  );
}

function planMapping(
  logicalId: string,
  resource: TemplateResource,
  known: {
    ctx: ResolveContext;
    streams: readonly StreamSpec[];
    queues: readonly QueueSpec[];
    functions: readonly FunctionSpec[];
    notes: string[];
  },
):
  | { readonly kind: "kinesis"; readonly spec: KinesisMappingSpec }
  | { readonly kind: "sqs"; readonly spec: SqsMappingSpec }
  | undefined {
  const { ctx, streams, queues, functions, notes } = known;
  const properties = parseProperties(logicalId, resource, eventSourceMappingProperties);
  if (properties.Enabled === false) {
    notes.push(`${logicalId}: disabled in the template: no poller`);
    return undefined;
  }
  const sourceArn = resolveString(properties.EventSourceArn, ctx, `${logicalId} EventSourceArn`);
  const functionRef = resolveString(properties.FunctionName, ctx, `${logicalId} FunctionName`);
  const fn = functions.find((f) => f.name === functionRef || f.arn === functionRef);
  const stream = streams.find((s) => s.arn === sourceArn);
  const queue = queues.find((q) => q.arn === sourceArn);
  if (queue !== undefined && fn !== undefined) {
    const settings = sqsMappingSettings(logicalId, properties, notes);
    return {
      kind: "sqs",
      spec: {
        logicalId,
        functionName: fn.name,
        queueName: queue.name,
        queueArn: queue.arn,
        queueUrl: queue.url,
        settings,
      },
    };
  }
  if (stream === undefined || fn === undefined) {
    notes.push(
      `${logicalId}: ${sourceArn} → ${functionRef} is not a stream or queue and a function of the local stack: no poller`,
    );
    return undefined;
  }
  if ((properties.ParallelizationFactor ?? 1) > 1) {
    notes.push(`${logicalId}: ParallelizationFactor ${properties.ParallelizationFactor} runs as 1 locally`);
  }
  const destination = properties.DestinationConfig?.OnFailure?.Destination;
  let onFailure: QueueSpec | undefined;
  if (destination !== undefined) {
    const destinationArn = resolveString(destination, ctx, `${logicalId} DestinationConfig.OnFailure`);
    onFailure = queues.find((q) => q.arn === destinationArn);
    if (onFailure === undefined) {
      notes.push(
        `${logicalId}: on-failure destination ${destinationArn} is not a local queue: records are logged`,
      );
    }
  }
  const defaults = defaultKinesisMappingSettings;
  const spec: KinesisMappingSpec = {
    logicalId,
    functionName: fn.name,
    streamName: stream.name,
    streamArn: stream.arn,
    onFailure,
    settings: {
      batchSize: properties.BatchSize ?? defaults.batchSize,
      maximumBatchingWindowInSeconds:
        properties.MaximumBatchingWindowInSeconds ?? defaults.maximumBatchingWindowInSeconds,
      startingPosition: properties.StartingPosition ?? defaults.startingPosition,
      bisectBatchOnFunctionError:
        properties.BisectBatchOnFunctionError ?? defaults.bisectBatchOnFunctionError,
      maximumRetryAttempts: properties.MaximumRetryAttempts ?? defaults.maximumRetryAttempts,
      maximumRecordAgeInSeconds: properties.MaximumRecordAgeInSeconds ?? defaults.maximumRecordAgeInSeconds,
      reportBatchItemFailures: (properties.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
    },
  };
  return { kind: "kinesis", spec };
}
