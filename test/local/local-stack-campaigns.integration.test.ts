import { readFileSync, statSync } from "node:fs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "#infra/local/api-event.js";
import type { EventTargetHandler } from "#infra/local/local-scheduler.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import type { SqsHandler } from "#infra/local/sqs-event.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { tempDir } from "./helpers.js";

const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 };
const data = tempDir("tailor-campaigns-");
afterAll(() => data.remove());

const tag = (name: string) => [{ Key: "tailor:local-name", Value: name }];
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });
const fn = (name: string, variables: Record<string, unknown> = {}) => ({
  Type: "AWS::Lambda::Function",
  Properties: { Tags: tag(name), Timeout: 10, Environment: { Variables: variables } },
});

/** The campaign resources as CDK writes them, hand-made: queue + DLQ, ledger, secret, API, rules. */
const template = {
  Resources: {
    SendsDlq: { Type: "AWS::SQS::Queue", Properties: { Tags: tag("tailor-sends-dlq") } },
    Sends: {
      Type: "AWS::SQS::Queue",
      Properties: {
        Tags: tag("tailor-sends"),
        VisibilityTimeout: 60,
        RedrivePolicy: { deadLetterTargetArn: arnOf("SendsDlq"), maxReceiveCount: 5 },
      },
    },
    Ledger: {
      Type: "AWS::DynamoDB::Table",
      Properties: {
        Tags: tag("tailor-send-ledger"),
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: "customerId", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "customerId", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
      },
    },
    LinkSecret: { Type: "AWS::SecretsManager::Secret", Properties: { Tags: tag("tailor-link-secret") } },
    Dispatch: fn("tailor-dispatch", {
      SENDS_QUEUE_URL: { Ref: "Sends" },
      LEDGER_TABLE: { Ref: "Ledger" },
      LINK_SECRET_ARN: { Ref: "LinkSecret" },
      PUBLIC_API_URL: {
        "Fn::Join": [
          "",
          [
            "https://",
            { Ref: "Api" },
            ".execute-api.",
            { Ref: "AWS::Region" },
            ".",
            { Ref: "AWS::URLSuffix" },
            "/",
          ],
        ],
      },
      API_ENDPOINT: { "Fn::GetAtt": ["Api", "ApiEndpoint"] },
    }),
    DispatchMapping: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: {
        EventSourceArn: arnOf("Sends"),
        FunctionName: { Ref: "Dispatch" },
        BatchSize: 10,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    },
    ApiFunction: fn("tailor-api", { LINK_SECRET_ARN: { Ref: "LinkSecret" } }),
    Api: { Type: "AWS::ApiGatewayV2::Api", Properties: { Name: "Api", ProtocolType: "HTTP" } },
    ApiStage: {
      Type: "AWS::ApiGatewayV2::Stage",
      Properties: { ApiId: { Ref: "Api" }, StageName: "$default" },
    },
    ApiIntegration: {
      Type: "AWS::ApiGatewayV2::Integration",
      Properties: {
        ApiId: { Ref: "Api" },
        IntegrationType: "AWS_PROXY",
        IntegrationUri: arnOf("ApiFunction"),
        PayloadFormatVersion: "2.0",
      },
    },
    ...Object.fromEntries(
      ["GET /unsubscribe", "POST /v1/events"].map((routeKey, index) => [
        `Route${index}`,
        {
          Type: "AWS::ApiGatewayV2::Route",
          Properties: {
            ApiId: { Ref: "Api" },
            RouteKey: routeKey,
            AuthorizationType: routeKey.startsWith("POST") ? "AWS_IAM" : "NONE",
            Target: { "Fn::Join": ["", ["integrations/", { Ref: "ApiIntegration" }]] },
          },
        },
      ]),
    ),
    CampaignSchedule: fn("tailor-campaign-schedule"),
    WeeklyRule: {
      Type: "AWS::Events::Rule",
      Properties: {
        Tags: tag("tailor-campaign-weekly"),
        ScheduleExpression: "cron(0 9 ? * MON *)",
        State: "ENABLED",
        Targets: [
          {
            Id: "Target0",
            Arn: arnOf("CampaignSchedule"),
            InputTransformer: {
              InputPathsMap: { time: "$.time" },
              InputTemplate: '{"campaignId":"weekly","time":<time>}',
            },
          },
        ],
      },
    },
    Timers: fn("tailor-segment-timers"),
    TimersRule: {
      Type: "AWS::Events::Rule",
      Properties: {
        Tags: tag("tailor-segment-timers-schedule"),
        ScheduleExpression: "rate(1 minute)",
        Targets: [{ Id: "Target0", Arn: arnOf("Timers") }],
      },
    },
    Feedback: fn("tailor-ses-feedback"),
    FeedbackRule: {
      Type: "AWS::Events::Rule",
      Properties: {
        Tags: tag("tailor-ses-feedback-rule"),
        EventPattern: { source: ["aws.ses"] },
        Targets: [{ Id: "Target0", Arn: arnOf("Feedback") }],
      },
    },
  },
};

/** A clock the test moves by hand. */
function manualClock(start: string) {
  let now = Date.parse(start);
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function fakes() {
  const sent: { bodies: string[]; secretFile: string | undefined; publicApiUrl: string | undefined }[] = [];
  const requests: APIGatewayProxyEventV2[] = [];
  const scheduled: unknown[] = [];
  const timers: unknown[] = [];
  const feedback: unknown[] = [];
  const dispatch: SqsHandler = async (event: SQSEvent) => {
    sent.push({
      bodies: event.Records.map((r) => r.body),
      secretFile: process.env.LINK_SECRET_FILE,
      publicApiUrl: process.env.PUBLIC_API_URL,
    });
    return { batchItemFailures: [] };
  };
  const api: ApiHandler = async (event) => {
    requests.push(event);
    return { statusCode: 200, headers: { "content-type": "text/plain" }, body: "unsubscribed" };
  };
  const onSchedule: EventTargetHandler = async (event) => {
    scheduled.push(event);
  };
  const onTimers: EventTargetHandler = async (event) => {
    timers.push(event);
  };
  const onFeedback: EventTargetHandler = async (event) => {
    feedback.push(event);
  };
  return {
    sent,
    requests,
    scheduled,
    timers,
    feedback,
    options: {
      handlers: {
        "tailor-dispatch": dispatch,
        "tailor-api": api,
        "tailor-campaign-schedule": onSchedule,
        "tailor-segment-timers": onTimers,
        "tailor-ses-feedback": onFeedback,
      },
    },
  };
}

describe("startLocalStack: campaign resources", () => {
  it("polls the sends queue, serves the API, runs cron and pattern rules, keeps a secret file, uses the clock", async () => {
    // GIVEN a stack on a test clock, Monday 2026-11-23 08:00 UTC
    const clock = manualClock("2026-11-23T08:00:00Z");
    const f = fakes();
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: anyPort,
      template,
      clock,
      log: (line) => lines.push(line),
      ...f.options,
    });
    let secret = "";
    try {
      // THEN the resources are there and the functions are run by what the template says
      expect(stack.names.functions).toEqual(
        expect.arrayContaining([
          "tailor-dispatch",
          "tailor-api",
          "tailor-campaign-schedule",
          "tailor-ses-feedback",
          "tailor-segment-timers",
        ]),
      );
      expect(stack.names.queues).toEqual(["tailor-sends-dlq", "tailor-sends"]);
      expect(stack.names.tables).toEqual(["tailor-send-ledger"]);
      expect(stack.names.schedules).toEqual(["tailor-campaign-weekly", "tailor-segment-timers-schedule"]);
      expect(stack.names.eventRules).toEqual(["tailor-ses-feedback-rule"]);
      expect(stack.sqsPollers.map((p) => `${p.functionName} ← ${p.queueName}`)).toEqual([
        "tailor-dispatch ← tailor-sends",
      ]);

      // ...the functions see the local API URL and the secret file instead of the secret's ARN
      const apiUrl = stack.apiUrl ?? "";
      expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const dispatchEnv = stack.plan.functions.find((x) => x.name === "tailor-dispatch")?.environment;
      const secretFile = stack.secretFiles.get("tailor-link-secret") ?? "";
      expect(dispatchEnv).toMatchObject({
        PUBLIC_API_URL: `${apiUrl}/`,
        API_ENDPOINT: apiUrl,
        LINK_SECRET_FILE: secretFile,
      });
      expect(dispatchEnv?.LINK_SECRET_ARN).toBeUndefined();
      secret = readFileSync(secretFile, "utf8");
      expect(secret).toMatch(/^[\w-]{48}$/);
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);

      // WHEN a send intent is queued, THEN dispatch gets it with its own environment
      const sqs = new SQSClient({});
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: `${stack.endpoints.sqs}/000000000000/tailor-sends`,
          MessageBody: "intent-1",
        }),
      );
      sqs.destroy();
      await stack.waitUntilIdle({ timeoutMs: 90_000 });
      expect(f.sent).toEqual([{ bodies: ["intent-1"], secretFile, publicApiUrl: `${apiUrl}/` }]);

      // WHEN the unsubscribe link is followed, THEN the API function answers it
      const response = await fetch(`${apiUrl}/unsubscribe?token=abc`);
      expect(await response.text()).toBe("unsubscribed");
      expect(f.requests[0]).toMatchObject({
        routeKey: "GET /unsubscribe",
        queryStringParameters: { token: "abc" },
        requestContext: { timeEpoch: clock.now() },
      });

      // WHEN the weekly rule is fired, THEN the function gets the target's input, with the tick's time
      expect(await stack.runSchedulesNow(["tailor-campaign-weekly"])).toEqual({ invocations: 1, errors: 0 });
      expect(f.scheduled).toEqual([{ campaignId: "weekly", time: "2026-11-23T08:00:00Z" }]);
      expect(f.timers).toEqual([]);

      // WHEN 4 hours pass on the clock and the timers rule is fired, THEN it runs at the new time
      clock.advance(4 * 3_600_000);
      expect(runtimeClock.now()).toBe(Date.parse("2026-11-23T12:00:00Z"));
      await stack.runSchedulesNow(["tailor-segment-timers-schedule"]);
      expect(f.timers).toMatchObject([{ "detail-type": "Scheduled Event", time: "2026-11-23T12:00:00Z" }]);

      // WHEN SES events are published, THEN the feedback rule's function gets those that match
      const delivered = await stack.publishEvent({
        source: "aws.ses",
        "detail-type": "Email Delivered",
        detail: { eventType: "Delivery" },
      });
      const other = await stack.publishEvent({
        source: "aws.s3",
        "detail-type": "Object Created",
        detail: {},
      });
      expect(delivered).toEqual({ matched: ["tailor-ses-feedback-rule"], invocations: 1, errors: 0 });
      expect(other).toEqual({ matched: [], invocations: 0, errors: 0 });
      expect(f.feedback).toMatchObject([
        {
          source: "aws.ses",
          "detail-type": "Email Delivered",
          detail: { eventType: "Delivery" },
          time: "2026-11-23T12:00:00Z",
        },
      ]);
    } finally {
      await stack.stop();
    }
    // THEN stop put the system clock back
    expect(Math.abs(runtimeClock.now() - Date.now())).toBeLessThan(1000);

    // GIVEN a second run on the same data dir, THEN the secret is the same
    const again = await startLocalStack({
      dataDir: data.dir,
      ports: anyPort,
      template,
      log: () => {},
      ...fakes().options,
    });
    try {
      expect(readFileSync(again.secretFiles.get("tailor-link-secret") ?? "", "utf8")).toBe(secret);
    } finally {
      await again.stop();
    }
  }, 20_000);
});
