import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { App, Duration, Stack, Token } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ingestEnvSchema } from "#functions/ingest/env.js";
import { synthTemplate } from "#infra/app.js";
import { EventStream } from "#infra/components/event-stream.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { ProjectFunction } from "#infra/components/project-function.js";
import { campaignRuleLocalName, ENTRY_METADATA, LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { checkedSynth, defaultApp, sharedSynthTimeout } from "./shared-app.js";
import { type Statement, statementsOf } from "./template-queries.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const fixtureEntry = fileURLToPath(new URL("./fixtures/echo-handler.ts", import.meta.url));

const taggedResourceSchema = z.object({
  Properties: z
    .object({ Tags: z.array(z.object({ Key: z.string(), Value: z.unknown() })).optional() })
    .optional(),
});

const resourcesSchema = z.record(z.string(), z.looseObject({ Type: z.string() }));
const functionEnvSchema = z.object({
  Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }),
});

/** The template's resources by logical id. */
function resourcesOf(template: Template): z.infer<typeof resourcesSchema> {
  return resourcesSchema.parse(template.toJSON().Resources);
}

/** The tag value of `tailor:local-name` on a template resource, if any. */
function localNameOf(resource: unknown): string | undefined {
  const tags = taggedResourceSchema.parse(resource).Properties?.Tags;
  const value = tags?.find((tag) => tag.Key === LOCAL_NAME_TAG)?.Value;
  return typeof value === "string" ? value : undefined;
}

describe("TailorStack", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it: no bundling, no checks (the cdk-nag test checks it)
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  describe("event stream", () => {
    it("is provisioned with one shard, 24 h retention and encrypted with a rotating customer-managed key", () => {
      // THEN
      template.hasResourceProperties("AWS::Kinesis::Stream", {
        ShardCount: 1,
        RetentionPeriodHours: 24,
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        StreamEncryption: { EncryptionType: "KMS", KeyId: stack.resolve(stack.events.key.keyArn) },
      });
      const keyId = stack.resolve(stack.events.key.keyArn)["Fn::GetAtt"][0];
      expect(template.toJSON().Resources[keyId]).toMatchObject({
        Type: "AWS::KMS::Key",
        Properties: { EnableKeyRotation: true },
      });
    });

    it("takes its shard count and retention from props, and rejects impossible ones", () => {
      // GIVEN
      const scratch = new Stack(new App(), "Scratch");
      // WHEN
      new EventStream(scratch, "Wide", { shardCount: 4, retention: Duration.days(7) });
      // THEN
      Template.fromStack(scratch).hasResourceProperties("AWS::Kinesis::Stream", {
        ShardCount: 4,
        RetentionPeriodHours: 168,
      });
      expect(() => new EventStream(scratch, "None", { shardCount: 0 })).toThrow(InfraConfigError);
      expect(() => new EventStream(scratch, "Half", { shardCount: 1.5 })).toThrow(/shardCount/);
      expect(() => new EventStream(scratch, "Short", { retention: Duration.hours(12) })).toThrow(/retention/);
    });
  });

  describe("profile store", () => {
    it("is keyed by pk (a hash of the customer id), on demand, with PITR, KMS encryption and deletion protection", () => {
      // THEN
      template.hasResource("AWS::DynamoDB::Table", {
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: {
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: {
            SSEEnabled: true,
            SSEType: "KMS",
            KMSMasterKeyId: stack.resolve(stack.profiles.key.keyArn),
          },
          DeletionProtectionEnabled: true,
        },
      });
    });
  });

  describe("quarantine", () => {
    it("is a private, KMS-encrypted, versioned bucket with expiry and access logs", () => {
      // THEN
      template.hasResource("AWS::S3::Bucket", {
        DeletionPolicy: "Retain",
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                BucketKeyEnabled: true,
                ServerSideEncryptionByDefault: {
                  SSEAlgorithm: "aws:kms",
                  KMSMasterKeyID: stack.resolve(stack.quarantine.key.keyArn),
                },
              },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: "Enabled" },
          LifecycleConfiguration: {
            Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90, Status: "Enabled" })]),
          },
          LoggingConfiguration: {
            DestinationBucketName: stack.resolve(stack.quarantine.accessLogsBucket.bucketName),
          },
        },
      });
    });

    it("refuses requests without TLS", () => {
      // THEN
      template.hasResourceProperties("AWS::S3::BucketPolicy", {
        Bucket: stack.resolve(stack.quarantine.bucket.bucketName),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "s3:*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    });
  });

  describe("ingest", () => {
    it("runs on Node 22, arm64, with active tracing, JSON logs and source maps", () => {
      // THEN
      template.hasResourceProperties("AWS::Lambda::Function", {
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogFormat: "JSON", LogGroup: Match.anyValue() },
        Environment: {
          Variables: {
            NODE_OPTIONS: "--enable-source-maps",
            PROFILES_TABLE: stack.resolve(stack.profiles.table.tableName),
            QUARANTINE_BUCKET: stack.resolve(stack.quarantine.bucket.bucketName),
            SEGMENTS_DIR: "templates/segments",
            TIMERS_TABLE: stack.resolve(stack.timers.table.tableName),
            SEGMENTS_TABLE: stack.resolve(stack.segments.table.tableName),
            TRANSITIONS_QUEUE_URL: stack.resolve(stack.transitions.queue.queueUrl),
            CAMPAIGNS_DIR: "templates/campaigns",
            EMAILS_DIR: "templates/emails",
            SENDS_QUEUE_URL: stack.resolve(stack.sends.queue.queueUrl),
            POWERTOOLS_SERVICE_NAME: "ingest",
            POWERTOOLS_METRICS_NAMESPACE: "Tailor",
          },
        },
      });
    });

    it("logs to its own log group with a retention, through a role without AWS managed policies", () => {
      // THEN
      template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
      template.hasResourceProperties("AWS::IAM::Role", {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: "lambda.amazonaws.com" } })],
        },
        ManagedPolicyArns: Match.absent(),
      });
    });

    it("is granted the table, the bucket and the stream, and nothing wider", () => {
      // THEN
      const role = stack.ingest.function.role;
      if (role === undefined) throw new Error("ingest has no role");
      const statements = statementsOf(template, role);
      const actions = statements.flatMap((statement) => statement.Action);
      expect(actions).toEqual(
        expect.arrayContaining([
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:BatchGetItem",
          "s3:PutObject",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "sqs:SendMessage",
        ]),
      );
      expect(actions).not.toContain("s3:GetObject");
      // Every role of the app: the only actions on any resource are X-Ray's, which cannot be scoped, and the
      // log-delivery and X-Ray sampling actions of Step Functions logging and tracing, which cannot either, held by
      // the state machines' roles alone (the rescoring's, the campaign fan-out's, the segment jobs' and the
      // training workflow's).
      const xray = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];
      const beyondXray = (statements: readonly Statement[]): string[] =>
        statements
          .filter((statement) => statement.Resource === "*")
          .flatMap((statement) => statement.Action)
          .filter((action) => !xray.includes(action));
      const everywhere = beyondXray(statementsOf(template));
      const ofMachines = [
        stack.rescoring.stateMachine,
        stack.campaignFanOut.stateMachine,
        stack.segmentJobs.stateMachine,
        stack.modelTraining.stateMachine,
      ].flatMap((machine) => beyondXray(statementsOf(template, machine.role)));
      expect(ofMachines.length).toBeGreaterThan(0);
      expect(ofMachines.filter((action) => !/^(logs|xray):/.test(action))).toEqual([]);
      expect(everywhere.sort()).toEqual(ofMachines.sort());
    });

    it("reads the stream in bisecting batches with partial failures, retries and an on-failure DLQ", () => {
      // THEN
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: stack.resolve(stack.events.stream.streamArn),
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 1,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 86_400,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        DestinationConfig: {
          OnFailure: { Destination: stack.resolve(stack.ingest.deadLetterQueue.queueArn) },
        },
      });
    });

    it("sends failures to a KMS-encrypted, TLS-only dead-letter queue", () => {
      // THEN
      template.hasResourceProperties("AWS::SQS::Queue", {
        KmsMasterKeyId: Match.objectLike({ "Fn::GetAtt": Match.anyValue() }),
        MessageRetentionPeriod: 1_209_600,
      });
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [stack.resolve(stack.ingest.deadLetterQueue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    });
  });

  describe("alarms", () => {
    const topicRef = (): unknown => stack.resolve(stack.alarmTopic.topicArn);

    it("fires when ingest lags the stream by more than 60 s for 5 minutes", () => {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Kinesis",
        MetricName: "GetRecords.IteratorAgeMilliseconds",
        Dimensions: [{ Name: "StreamName", Value: stack.resolve(stack.events.stream.streamName) }],
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        Threshold: 60_000,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [topicRef()],
      });
    });

    it("fires on any quarantined event, on the metric the function publishes", () => {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "Tailor",
        MetricName: "EventsQuarantined",
        Dimensions: [{ Name: "service", Value: "ingest" }],
        Statistic: "Sum",
        Period: 300,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [topicRef()],
      });
      // The alarm watches the namespace and service dimension the function's Powertools metrics use.
      template.hasResourceProperties("AWS::Lambda::Function", {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: "ingest",
            POWERTOOLS_METRICS_NAMESPACE: "Tailor",
          }),
        },
      });
    });

    it("fires when the dead-letter queue holds anything, and on function errors", () => {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: stack.resolve(stack.ingest.deadLetterQueue.queueName) }],
        Threshold: 0,
        AlarmActions: [topicRef()],
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: stack.resolve(stack.ingest.function.functionName) }],
        Statistic: "Sum",
        Threshold: 0,
        AlarmActions: [topicRef()],
      });
      // Ingest's four, the transitions dead letters, the segment timers' errors and undelivered ticks, the
      // sends queue's two, dispatch, API and SES feedback errors, SES feedback dead letters, the campaign
      // triggers' two (transitions errors, undelivered ticks), the campaign fan-out's two (failed, timed-out
      // runs), the delivery alarms' four (bounce rate, complaint rate, send volume, sends failed for
      // good), the rescoring's four (failed runs, timed-out runs, undelivered starts, runs with failed slices), the segment jobs' three
      // (the same), the catalog's three (import failures, changes' dead letters, …), the catalog triggers' errors,
      // the archive's four (freshness, S3 delivery, transform errors, failed records), the data-quality
      // seven (quarantined share, five event types' volume, feature drift), and the models' five (training
      // runs failed and timed out, undelivered training starts, a drift alarm per propensity model).
      template.resourceCountIs("AWS::CloudWatch::Alarm", 50);
    });

    it("notify a TLS-only topic, encrypted with a key CloudWatch may use", () => {
      const keyArn = { "Fn::GetAtt": [Match.stringLikeRegexp("^AlarmsKey"), "Arn"] };
      template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: keyArn });
      template.hasResourceProperties("AWS::SNS::TopicPolicy", {
        Topics: [topicRef()],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
      template.hasResourceProperties("AWS::KMS::Key", {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            }),
          ]),
        },
      });
    });
  });

  describe("local names", () => {
    it("tags each stateful resource, function and schedule with its local name, and nothing else", () => {
      // THEN
      const tagged = Object.values(resourcesOf(template))
        .map((resource) => ({ type: resource.Type, name: localNameOf(resource) }))
        .filter((resource) => resource.name !== undefined);
      expect(tagged.map(({ type, name }) => ({ type, name }))).toEqual(
        expect.arrayContaining([
          { type: "AWS::Kinesis::Stream", name: LOCAL_NAMES.eventStream },
          { type: "AWS::DynamoDB::Table", name: LOCAL_NAMES.profileTable },
          { type: "AWS::S3::Bucket", name: LOCAL_NAMES.quarantineBucket },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.ingestDeadLetterQueue },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.ingestFunction },
          { type: "AWS::DynamoDB::Table", name: LOCAL_NAMES.timersTable },
          { type: "AWS::DynamoDB::Table", name: LOCAL_NAMES.segmentsTable },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.transitionsQueue },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.transitionsDeadLetterQueue },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.segmentTimersFunction },
          { type: "AWS::Events::Rule", name: LOCAL_NAMES.segmentTimersSchedule },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.segmentTimersScheduleDeadLetterQueue },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.sendsQueue },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.sendsDeadLetterQueue },
          { type: "AWS::DynamoDB::Table", name: LOCAL_NAMES.sendLedgerTable },
          { type: "AWS::SecretsManager::Secret", name: LOCAL_NAMES.linkSecret },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.dispatchFunction },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.apiFunction },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.sesFeedbackFunction },
          { type: "AWS::Events::Rule", name: LOCAL_NAMES.sesFeedbackRule },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.sesFeedbackDeadLetterQueue },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.campaignTransitionsFunction },
          { type: "AWS::StepFunctions::StateMachine", name: LOCAL_NAMES.fanOutStateMachine },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.fanOutPlanFunction },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.fanOutPartFunction },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.fanOutFinishFunction },
          { type: "AWS::SQS::Queue", name: LOCAL_NAMES.campaignScheduleDeadLetterQueue },
          { type: "AWS::S3::Bucket", name: LOCAL_NAMES.archiveBucket },
          { type: "AWS::KinesisFirehose::DeliveryStream", name: LOCAL_NAMES.archiveDeliveryStream },
          { type: "AWS::Lambda::Function", name: LOCAL_NAMES.archiveFunction },
          ...stack.campaigns.scheduled.map(({ id }) => ({
            type: "AWS::Events::Rule",
            name: campaignRuleLocalName(id),
          })),
        ]),
      );
      // Each name once per kind of resource (the archive's bucket and delivery stream share theirs, as AWS's
      // names are per service): the fixed ones and one rule per scheduled campaign.
      expect(new Set(tagged.map(({ type, name }) => `${type} ${name}`)).size).toBe(tagged.length);
      expect(tagged).toHaveLength(Object.keys(LOCAL_NAMES).length + stack.campaigns.scheduled.length);
    });

    it("lets the local stack resolve the function's Refs to the tagged table and bucket", () => {
      // THEN
      const resources = resourcesOf(template);
      const byName = (name: string): string | undefined =>
        Object.entries(resources).find(([, resource]) => localNameOf(resource) === name)?.[0];
      const fn = functionEnvSchema.parse(resources[byName(LOCAL_NAMES.ingestFunction) ?? ""]);
      expect(fn.Properties.Environment.Variables.PROFILES_TABLE).toEqual({
        Ref: byName(LOCAL_NAMES.profileTable),
      });
      expect(fn.Properties.Environment.Variables.QUARANTINE_BUCKET).toEqual({
        Ref: byName(LOCAL_NAMES.quarantineBucket),
      });
    });
  });
});

describe("buildApp", () => {
  it(
    "synthesises with no unacknowledged cdk-nag AwsSolutions finding",
    async () => {
      // GIVEN the app as `cdk synth` builds it, cdk-nag and CloudFormation validation on
      // WHEN it is synthesised (once per test run, by the global setup of the CDK tests)
      const checked = await checkedSynth();
      // THEN: a finding would have failed the synth with a validation report
      expect(checked.ok ? undefined : checked.error).toBeUndefined();
    },
    sharedSynthTimeout,
  );

  it(
    "produces the template the local stack reads",
    async () => {
      // GIVEN the checked build's template (cdk-nag and CloudFormation validation on, no bundling)
      const checked = await checkedSynth();
      if (!checked.ok) throw new Error(`the checked synth failed: ${checked.error}`);
      // WHEN / THEN
      expect(synthTemplate()).toEqual(checked.template);
    },
    sharedSynthTimeout,
  );
});

describe("ProjectFunction", () => {
  it("rejects an environment that does not match its schema", () => {
    // GIVEN
    const scratch = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Scratch");
    const valid = {
      PROFILES_TABLE: "profiles",
      QUARANTINE_BUCKET: "quarantine",
      SEGMENTS_DIR: "templates/segments",
      TIMERS_TABLE: "timers",
      SEGMENTS_TABLE: "segments",
      TRANSITIONS_QUEUE_URL: "https://sqs.example/transitions",
      CAMPAIGNS_DIR: "templates/campaigns",
      EMAILS_DIR: "templates/emails",
      SENDS_QUEUE_URL: "https://sqs.example/sends",
      POWERTOOLS_SERVICE_NAME: "ingest",
      POWERTOOLS_METRICS_NAMESPACE: "Tailor",
    };
    const make = (
      id: string,
      environment: z.input<typeof ingestEnvSchema>,
    ): ProjectFunction<typeof ingestEnvSchema> =>
      new ProjectFunction(scratch, id, {
        entry: fixtureEntry,
        environmentSchema: ingestEnvSchema,
        environment,
      });
    // WHEN / THEN
    expect(() => make("Valid", valid)).not.toThrow();
    expect(() => make("Token", { ...valid, PROFILES_TABLE: Token.asString({ Ref: "Table" }) })).not.toThrow();
    expect(() => make("Empty", { ...valid, POWERTOOLS_SERVICE_NAME: "" })).toThrow(/POWERTOOLS_SERVICE_NAME/);
    const extra = { ...valid, EXTRA: "x" };
    expect(() => make("Extra", extra)).toThrow(/EXTRA is not in the schema/);
    // @ts-expect-error: a missing variable is a compile error...
    const missing: z.input<typeof ingestEnvSchema> = { PROFILES_TABLE: "profiles" };
    // ...and a synth error for callers that got past the compiler
    expect(() => make("Missing", missing)).toThrow(/missing: QUARANTINE_BUCKET/);
  });

  it("names its entry file in the template (tailor:entry, from the repository root), where the local stack finds the handler", () => {
    // GIVEN
    const scratch = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Entry");
    // WHEN
    new ProjectFunction(scratch, "Echo", {
      entry: fixtureEntry,
      handler: "echo",
      environmentSchema: z.object({ GREETING: z.string() }),
      environment: { GREETING: "hello" },
    });
    // THEN
    Template.fromStack(scratch).hasResource("AWS::Lambda::Function", {
      Metadata: { [ENTRY_METADATA]: "test/infra/fixtures/echo-handler.ts" },
      Properties: Match.objectLike({ Handler: "index.echo" }),
    });
  });

  it("bundles its handler into a minified ESM module with a source map that runs", async () => {
    // GIVEN a function on a small handler, bundled by esbuild
    const outdir = mkdtempSync(join(tmpdir(), "tailor-bundle-"));
    try {
      const app = new App({ outdir });
      const scratch = new Stack(app, "Bundled");
      new ProjectFunction(scratch, "Echo", {
        entry: fixtureEntry,
        environmentSchema: z.object({ GREETING: z.string() }),
        environment: { GREETING: "hello" },
      });
      // WHEN
      app.synth();
      // THEN
      const assetDir = readdirSync(outdir).find((name) => existsSync(join(outdir, name, "index.mjs")));
      expect(assetDir).toBeDefined();
      const bundle = join(outdir, assetDir ?? "", "index.mjs");
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, "utf8");
      expect(code).toContain("createRequire");
      expect(code).toMatch(/export\s*\{/);
      const { handler }: Record<string, unknown> = await import(pathToFileURL(bundle).href);
      if (typeof handler !== "function") throw new Error("the bundle exports no handler function");
      expect(await handler({ name: "Ada" })).toEqual({
        greeting: "hello Ada",
        digest: sha256("Ada").slice(0, 8),
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
