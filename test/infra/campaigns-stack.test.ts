import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { apiEnvSchema } from "#functions/api/env.js";
import { campaignFanOutEnvSchema } from "#functions/campaign-fanout/env.js";
import { campaignTransitionsEnvSchema } from "#functions/campaign-transitions/env.js";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { ingestEnvSchema } from "#functions/ingest/env.js";
import { segmentTimersEnvSchema } from "#functions/segment-timers/env.js";
import { sesFeedbackEnvSchema } from "#functions/ses-feedback/env.js";
import { SEGMENT_API_ROUTES } from "#infra/components/http-api.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { TailorStack } from "#infra/tailor-stack.js";
import { CampaignDefinitionError } from "#shared/templates/campaign-files.js";
import { defaultApp, stackWithContext } from "./shared-app.js";
import { actionsOn, environmentWithPlaceholders, logicalIdOf, statementsOf } from "./template-queries.js";

const starterCampaigns = fileURLToPath(new URL("../../templates/campaigns", import.meta.url));
const FEEDBACK_EVENT_TYPES = ["send", "delivery", "open", "click", "bounce", "complaint"];

/** The scheduled starter campaigns, read from the files themselves: id and schedule expression. */
function scheduledStarterCampaigns(): { id: string; schedule: string }[] {
  const fileSchema = z.looseObject({
    id: z.string(),
    trigger: z.looseObject({ schedule: z.string().optional() }),
  });
  return readdirSync(starterCampaigns)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => fileSchema.parse(parseYaml(readFileSync(join(starterCampaigns, file), "utf8"))))
    .flatMap((c) => (c.trigger.schedule === undefined ? [] : [{ id: c.id, schedule: c.trigger.schedule }]));
}

describe("campaign infrastructure", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (stack.test.ts checks cdk-nag on the checked build)
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];
  const roleOf = (fn: IFunction): IConstruct => {
    if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
    return fn.role;
  };
  const mappingsOn = (queueLogicalId: string) =>
    Object.values(template.findResources("AWS::Lambda::EventSourceMapping")).filter(
      (mapping) =>
        JSON.stringify(mapping.Properties.EventSourceArn) ===
        JSON.stringify({ "Fn::GetAtt": [queueLogicalId, "Arn"] }),
    );

  describe("sends queue and ledger", () => {
    it("the sends queue: KMS, TLS-only, redriven to its dead-letter queue after 5 receives, hidden 6× dispatch's timeout", () => {
      // THEN
      const queue = resourceOf(stack.sends.queue);
      expect(queue).toMatchObject({
        Type: "AWS::SQS::Queue",
        DeletionPolicy: "Retain",
        Properties: {
          KmsMasterKeyId: stack.resolve(stack.sends.key.keyArn),
          MessageRetentionPeriod: 1_209_600,
          RedrivePolicy: {
            deadLetterTargetArn: stack.resolve(stack.sends.deadLetterQueue.queueArn),
            maxReceiveCount: 5,
          },
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.sendsQueue }],
        },
      });
      const dispatchTimeout = resourceOf(stack.dispatch.function).Properties.Timeout;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * dispatchTimeout);
      expect(resourceOf(stack.sends.deadLetterQueue).Properties.Tags).toEqual([
        { Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.sendsDeadLetterQueue },
      ]);
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [stack.resolve(stack.sends.queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    });

    it("the transitions queue hides a message 6× the campaign-transitions timeout", () => {
      const timeout = resourceOf(stack.campaignTriggers.transitionsFunction).Properties.Timeout;
      expect(resourceOf(stack.transitions.queue).Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * timeout,
      );
    });

    it("alarms on dead-lettered intents and on intents waiting too long", () => {
      const topic = stack.resolve(stack.alarmTopic.topicArn);
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: stack.resolve(stack.sends.deadLetterQueue.queueName) }],
        Threshold: 0,
        AlarmActions: [topic],
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateAgeOfOldestMessage",
        Dimensions: [{ Name: "QueueName", Value: stack.resolve(stack.sends.queue.queueName) }],
        Threshold: 900,
        AlarmActions: [topic],
      });
    });

    it("the ledger: customerId and sk, on demand, PITR, its own key, retained, tagged", () => {
      expect(resourceOf(stack.ledger.table)).toMatchObject({
        DeletionPolicy: "Retain",
        Properties: {
          KeySchema: [
            { AttributeName: "customerId", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          BillingMode: "PAY_PER_REQUEST",
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true, KMSMasterKeyId: stack.resolve(stack.ledger.key.keyArn) },
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.sendLedgerTable }],
        },
      });
    });

    it("the link secret: a generated 48-character key, retained, tagged", () => {
      expect(resourceOf(stack.linkSecret.secret)).toMatchObject({
        Type: "AWS::SecretsManager::Secret",
        DeletionPolicy: "Retain",
        Properties: {
          GenerateSecretString: { PasswordLength: 48 },
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.linkSecret }],
        },
      });
    });
  });

  describe("dispatch", () => {
    it("is the one consumer of the sends queue: batches of 10, partial failures, at most 2 instances", () => {
      const mappings = mappingsOn(logicalIdOf(stack.sends.queue));
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.Properties).toEqual({
        EventSourceArn: stack.resolve(stack.sends.queue.queueArn),
        FunctionName: stack.resolve(stack.dispatch.function.functionName),
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    it("may send only as the configured identity and with the configuration set", () => {
      const statements = statementsOf(template);
      const ses = statements.filter((s) => s.Action.some((action) => action.startsWith("ses:")));
      expect(ses).toHaveLength(1);
      expect(ses[0]?.Action).toEqual(["ses:SendEmail"]);
      const resources = JSON.stringify(ses[0]?.Resource);
      expect(resources).toContain(":identity/example.com");
      expect(resources).toContain(":configuration-set/tailor");
      expect(JSON.stringify(ses[0]?.Resource)).not.toMatch(/\*/);
      // ...and only dispatch may
      expect(statementsOf(template, roleOf(stack.dispatch.function))).toContainEqual(ses[0]);
    });

    it("reads profiles, writes the ledger and timers, reads the link secret, only puts on the stream", () => {
      const statements = statementsOf(template, roleOf(stack.dispatch.function));
      const profiles = actionsOn(statements, logicalIdOf(stack.profiles.table));
      expect(profiles).toContain("dynamodb:GetItem");
      expect(profiles).not.toContain("dynamodb:PutItem");
      for (const table of [stack.ledger.table, stack.timers.table]) {
        expect(actionsOn(statements, logicalIdOf(table))).toEqual(
          expect.arrayContaining(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
        );
      }
      expect(actionsOn(statements, logicalIdOf(stack.linkSecret.secret))).toContain(
        "secretsmanager:GetSecretValue",
      );
      // Holdout decisions go on the stream as `Email Held Out` events: it may put records, not read them.
      const stream = actionsOn(statements, logicalIdOf(stack.events.stream));
      expect(stream).toEqual(expect.arrayContaining(["kinesis:PutRecords"]));
      expect(stream).not.toContain("kinesis:GetRecords");
      // The learned open-hour prior (GetItem), experiment counters (PutItem) and the campaigns' outcomes per day
      // (UpdateItem) in the segments table: no Query, Scan or DeleteItem.
      expect(actionsOn(statements, logicalIdOf(stack.segments.table)).sort()).toEqual([
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
      ]);
      const wildcards = statements.filter((s) => s.Resource === "*").flatMap((s) => s.Action);
      expect(wildcards.sort()).toEqual(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
    });

    it("gets its sender, configuration set, share of the send rate, API URL and secret in its environment", () => {
      const variables = resourceOf(stack.dispatch.function).Properties.Environment.Variables;
      expect(variables).toMatchObject({
        FROM_ADDRESS: LOCAL_STACK_SETTINGS.fromAddress,
        SES_CONFIGURATION_SET: "tailor",
        SEND_RATE_PER_SECOND: "7",
        PUBLIC_API_URL: stack.resolve(stack.api.url),
        LINK_SECRET_ARN: stack.resolve(stack.linkSecret.secret.secretArn),
        LEDGER_TABLE: stack.resolve(stack.ledger.table.tableName),
        CAMPAIGNS_DIR: "templates/campaigns",
        EMAILS_DIR: "templates/emails",
        SEGMENTS_DIR: "templates/segments",
      });
      // Render-time recommendations call the default recommender endpoint (and fall back to best sellers).
      expect(variables.RECOMMENDER_ENDPOINT).toBe("tailor-recommendations");
      expect(variables.LINK_SECRET_FILE).toBeUndefined();
    });

    it("rejects settings it cannot honour", () => {
      expect(() => stackWithContext({ dispatchMaxConcurrency: "1" })).toThrow(InfraConfigError);
      expect(() => stackWithContext({ fromAddress: "not an address" })).toThrow(/fromAddress/);
      expect(() => stackWithContext({ sendRatePerSecond: "0" })).toThrow(/sendRatePerSecond/);
      expect(() => stackWithContext({ shopUrl: "shop" })).toThrow(/shopUrl/);
    });
  });

  describe("SES configuration set and feedback", () => {
    it("publishes send, delivery, open, click, bounce and complaint to the default event bus", () => {
      template.hasResourceProperties("AWS::SES::ConfigurationSet", { Name: "tailor" });
      const destinations = Object.values(
        template.findResources("AWS::SES::ConfigurationSetEventDestination"),
      );
      expect(destinations).toHaveLength(1);
      const destination = destinations[0]?.Properties;
      expect(destination.ConfigurationSetName).toEqual(
        stack.resolve(stack.sesFeedback.configurationSet.configurationSetName),
      );
      expect(destination.EventDestination.Enabled).toBe(true);
      expect([...destination.EventDestination.MatchingEventTypes].sort()).toEqual(
        [...FEEDBACK_EVENT_TYPES].sort(),
      );
      expect(JSON.stringify(destination.EventDestination.EventBridgeDestination.EventBusArn)).toContain(
        ":event-bus/default",
      );
    });

    it("routes aws.ses events to the feedback function, with retries and a dead-letter queue", () => {
      expect(resourceOf(stack.sesFeedback.rule)).toMatchObject({
        Properties: {
          EventPattern: { source: ["aws.ses"] },
          Targets: [
            {
              Arn: stack.resolve(stack.sesFeedback.function.functionArn),
              DeadLetterConfig: { Arn: stack.resolve(stack.sesFeedback.deadLetterQueue.queueArn) },
              RetryPolicy: { MaximumRetryAttempts: expect.any(Number) },
            },
          ],
        },
      });
      template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
        FunctionName: stack.resolve(stack.sesFeedback.function.functionName),
        DestinationConfig: {
          OnFailure: { Destination: stack.resolve(stack.sesFeedback.deadLetterQueue.queueArn) },
        },
      });
    });

    it("the feedback function may put records on the stream, and only put items in the send ledger", () => {
      const statements = statementsOf(template, roleOf(stack.sesFeedback.function));
      expect(actionsOn(statements, logicalIdOf(stack.events.stream))).toEqual(
        expect.arrayContaining(["kinesis:PutRecord", "kinesis:PutRecords"]),
      );
      // SES's Send events are recorded in the ledger (issue 13): PutItem there, nothing on any other table.
      expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("dynamodb:"))).toEqual([
        "dynamodb:PutItem",
      ]);
      expect(actionsOn(statements, logicalIdOf(stack.ledger.table))).toEqual(["dynamodb:PutItem"]);
    });
  });

  describe("campaign triggers", () => {
    it("one schedule rule per scheduled starter campaign, starting the fan-out with the campaign id and the tick time", () => {
      // GIVEN the scheduled campaigns, as the files say
      const scheduled = scheduledStarterCampaigns();
      expect(scheduled.length).toBeGreaterThan(0);
      const scheduleArn = JSON.stringify(stack.resolve(stack.campaignFanOut.stateMachine.stateMachineArn));
      const rules = Object.values(template.findResources("AWS::Events::Rule")).filter((rule) =>
        JSON.stringify(rule.Properties.Targets).includes(scheduleArn),
      );
      // THEN
      expect(rules).toHaveLength(scheduled.length);
      for (const { id, schedule } of scheduled) {
        const rule = rules.find((r) => r.Properties.ScheduleExpression === schedule);
        expect(rule, id).toBeDefined();
        expect(rule?.Properties.Tags).toEqual([{ Key: LOCAL_NAME_TAG, Value: `tailor-campaign-${id}` }]);
        const target = rule?.Properties.Targets[0];
        expect(target.DeadLetterConfig).toEqual({
          Arn: stack.resolve(stack.campaignTriggers.scheduleDeadLetterQueue.queueArn),
        });
        expect(target.InputTransformer.InputPathsMap).toEqual({ time: "$.time" });
        const input = target.InputTransformer.InputTemplate.replace("<time>", '"2030-01-07T09:00:00Z"');
        expect(JSON.parse(input)).toEqual({ campaignId: id, time: "2030-01-07T09:00:00Z" });
      }
    });

    it("campaign-transitions is the one consumer of the transitions queue, with the dispatch ESM settings", () => {
      const mappings = mappingsOn(logicalIdOf(stack.transitions.queue));
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.Properties).toMatchObject({
        FunctionName: stack.resolve(stack.campaignTriggers.transitionsFunction.functionName),
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    it("both may send intents and write timers; only the fan-out's parts read (scan) profiles", () => {
      const transitions = statementsOf(template, roleOf(stack.campaignTriggers.transitionsFunction));
      const schedule = statementsOf(template, roleOf(stack.campaignFanOut.functions.part));
      for (const statements of [transitions, schedule]) {
        expect(actionsOn(statements, logicalIdOf(stack.sends.queue))).toContain("sqs:SendMessage");
        expect(actionsOn(statements, logicalIdOf(stack.timers.table))).toContain("dynamodb:PutItem");
      }
      expect(actionsOn(schedule, logicalIdOf(stack.profiles.table))).toContain("dynamodb:Scan");
      expect(actionsOn(schedule, logicalIdOf(stack.profiles.table))).not.toContain("dynamodb:PutItem");
      expect(actionsOn(transitions, logicalIdOf(stack.profiles.table))).toEqual([]);
      // Who entered and left each segment per day: a marker (PutItem) and the day's counts (UpdateItem), no reads.
      expect(actionsOn(transitions, logicalIdOf(stack.segments.table)).sort()).toEqual([
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
      ]);
      expect(
        resourceOf(stack.campaignTriggers.transitionsFunction).Properties.Environment.Variables,
      ).toHaveProperty("SEGMENTS_TABLE");
    });

    it("ingest and the segment timers may send intents to the sends queue", () => {
      for (const fn of [stack.ingest.function, stack.segmentTimers.function]) {
        expect(actionsOn(statementsOf(template, roleOf(fn)), logicalIdOf(stack.sends.queue))).toContain(
          "sqs:SendMessage",
        );
      }
    });
  });

  describe("HTTP API", () => {
    it("routes the pages publicly, events and the admin routes with IAM authorisation, all to the API function", () => {
      // (Segment's routes, without an authorizer, are checked in segment-api-stack.test.ts.)
      const segment = new Set(SEGMENT_API_ROUTES.map(({ method, path }) => `${method} ${path}`));
      const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"))
        .map((route) => ({ key: route.Properties.RouteKey, auth: route.Properties.AuthorizationType }))
        .filter((route) => !segment.has(route.key));
      expect(routes.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: "DELETE /v1/customers/{id}", auth: "AWS_IAM" },
        { key: "GET /confirm", auth: "NONE" },
        { key: "GET /preferences", auth: "NONE" },
        { key: "GET /unsubscribe", auth: "NONE" },
        // On-site content: the write key (Basic auth) is checked by the function, as for Segment's routes.
        { key: "GET /v1/content/{slot}", auth: "NONE" },
        { key: "GET /v1/customers/{id}/export", auth: "AWS_IAM" },
        { key: "OPTIONS /v1/content/{slot}", auth: "NONE" },
        { key: "POST /confirm", auth: "NONE" },
        { key: "POST /preferences", auth: "NONE" },
        { key: "POST /unsubscribe", auth: "NONE" },
        { key: "POST /v1/events", auth: "AWS_IAM" },
      ]);
      template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
        IntegrationType: "AWS_PROXY",
        IntegrationUri: stack.resolve(stack.api.function.functionArn),
        PayloadFormatVersion: "2.0",
      });
    });

    it("throttles the default stage and writes access logs", () => {
      template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
        StageName: "$default",
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^ApiAccessLogs"), "Arn"] },
          Format: Match.stringLikeRegexp("\\$context\\.requestId"),
        },
      });
    });

    it("outputs its URL", () => {
      template.hasOutput("ApiUrl", { Value: stack.resolve(stack.api.url) });
    });

    it("the API function may put records on the stream, read profiles and the secret, not update profiles", () => {
      const statements = statementsOf(template, roleOf(stack.api.function));
      expect(actionsOn(statements, logicalIdOf(stack.events.stream))).toContain("kinesis:PutRecords");
      const profiles = actionsOn(statements, logicalIdOf(stack.profiles.table));
      expect(profiles).toContain("dynamodb:GetItem");
      // Erasure deletes a profile and puts a tombstone; nothing of the API changes a profile in place.
      expect(profiles).not.toContain("dynamodb:UpdateItem");
      expect(actionsOn(statements, logicalIdOf(stack.linkSecret.secret))).toContain(
        "secretsmanager:GetSecretValue",
      );
    });
  });

  describe("function environments", () => {
    it.each([
      ["dispatch", () => stack.dispatch.function, dispatchEnvSchema, LOCAL_NAMES.dispatchFunction],
      ["api", () => stack.api.function, apiEnvSchema, LOCAL_NAMES.apiFunction],
      [
        "ses-feedback",
        () => stack.sesFeedback.function,
        sesFeedbackEnvSchema,
        LOCAL_NAMES.sesFeedbackFunction,
      ],
      [
        "campaign-transitions",
        () => stack.campaignTriggers.transitionsFunction,
        campaignTransitionsEnvSchema,
        LOCAL_NAMES.campaignTransitionsFunction,
      ],
      [
        "campaign-fanout plan",
        () => stack.campaignFanOut.functions.plan,
        campaignFanOutEnvSchema,
        LOCAL_NAMES.fanOutPlanFunction,
      ],
      [
        "campaign-fanout part",
        () => stack.campaignFanOut.functions.part,
        campaignFanOutEnvSchema,
        LOCAL_NAMES.fanOutPartFunction,
      ],
      ["ingest", () => stack.ingest.function, ingestEnvSchema, LOCAL_NAMES.ingestFunction],
      [
        "segment-timers",
        () => stack.segmentTimers.function,
        segmentTimersEnvSchema,
        LOCAL_NAMES.segmentTimersFunction,
      ],
    ] as const)(
      "%s: its environment satisfies its schema, and it is tagged",
      (_name, fn, schema, localName) => {
        // GIVEN the function's variables, deploy-time values standing in as a URL-shaped string
        const resource = resourceOf(fn());
        const variables = environmentWithPlaceholders(resource, "https://deploy-time.example/value");
        // THEN
        const parsed = schema.safeParse(variables);
        expect(parsed.error?.issues ?? []).toEqual([]);
        expect(resource.Properties.Tags).toEqual([{ Key: LOCAL_NAME_TAG, Value: localName }]);
      },
    );
  });
});

describe("campaign definitions", () => {
  it("fail the build, naming the file, when one names a template that does not exist", () => {
    // GIVEN a folder with a campaign sending a missing template
    const dir = mkdtempSync(join(tmpdir(), "tailor-bad-campaigns-"));
    try {
      const welcome = readFileSync(join(starterCampaigns, "welcome.yaml"), "utf8");
      expect(welcome).toMatch(/template: welcome/);
      writeFileSync(join(dir, "welcome.yaml"), welcome.replace(/template: welcome/g, "template: nowhere"));
      const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
      // WHEN / THEN
      expect(() => new TailorStack(app, "Bad", { ...LOCAL_STACK_SETTINGS, campaignsDir: dir })).toThrow(
        CampaignDefinitionError,
      );
      expect(() => new TailorStack(app, "Bad2", { ...LOCAL_STACK_SETTINGS, campaignsDir: dir })).toThrow(
        /welcome\.yaml/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
