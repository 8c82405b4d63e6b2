/**
 * The CDK tests that build a stack of their own with other settings (a whole TailorStack each, constructed or
 * synthesised): each costs seconds, so they run here, in `npm run test:long`, and the `cdk` project of `npm test`
 * reads only the one shared synth (test/infra/shared-app.ts).
 */
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { CfnFunction, type IFunction } from "aws-cdk-lib/aws-lambda";
import { Bucket } from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { Ingest } from "#infra/components/ingest.js";
import { DEFAULT_MODEL_ENDPOINTS } from "#infra/components/rescoring.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { TailorStack } from "#infra/tailor-stack.js";
import { endpointArn } from "#test/infra/model-queries.js";
import { stackWithContext } from "#test/infra/shared-app.js";
import { logicalIdOf, statementsOf } from "#test/infra/template-queries.js";

const roleOf = (fn: IFunction): IConstruct => {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
};

const alarmSchema = z.object({
  Properties: z.object({ AlarmActions: z.array(z.unknown()), OKActions: z.array(z.unknown()).optional() }),
});

describe("rescoring", () => {
  it("gives ingest the model endpoints and the real-time interval, and none when it is turned off", () => {
    // GIVEN an app with real-time scoring every 30 minutes, and one with it off
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const every30 = new TailorStack(app, "Every30", {
      ...LOCAL_STACK_SETTINGS,
      realtimeScoringMinutes: 30,
    });
    const off = new TailorStack(app, "Off", { ...LOCAL_STACK_SETTINGS, realtimeScoringMinutes: 0 });
    const ingestEnv = (s: TailorStack) => {
      const fn = Template.fromStack(s).findResources("AWS::Lambda::Function", {
        Properties: { Description: Match.stringLikeRegexp("^Folds the event stream") },
      });
      const variables: unknown = Object.values(fn)[0]?.Properties.Environment.Variables;
      return z.record(z.string(), z.unknown()).parse(variables);
    };
    // THEN
    expect(ingestEnv(every30)).toMatchObject({
      MODEL_ENDPOINTS: JSON.stringify(DEFAULT_MODEL_ENDPOINTS),
      REALTIME_SCORING_MINUTES: "30",
    });
    expect(ingestEnv(off).MODEL_ENDPOINTS).toBeUndefined();
    expect(ingestEnv(off).REALTIME_SCORING_MINUTES).toBeUndefined();
    const offIngest = statementsOf(Template.fromStack(off), off.ingest.function.role);
    expect(offIngest.filter((s) => s.Action.includes("sagemaker:InvokeEndpoint"))).toEqual([]);
  });

  it("scopes the endpoints to the ones named in props or context", () => {
    // GIVEN an app naming one model's endpoint and the recommender's
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    // WHEN
    const other = new TailorStack(app, "Other", {
      ...LOCAL_STACK_SETTINGS,
      modelEndpoints: { purchase_30d: "shop-purchase-v2" },
      recommenderEndpoint: "none",
    });
    // THEN the slice and ingest, each on that one endpoint; dispatch on none
    const invoking = statementsOf(Template.fromStack(other)).filter((s) =>
      s.Action.includes("sagemaker:InvokeEndpoint"),
    );
    expect(invoking.map((s) => [s.Resource].flat())).toEqual([
      [endpointArn("shop-purchase-v2")],
      [endpointArn("shop-purchase-v2")],
    ]);
  });
});

describe("the API's reserved concurrency", () => {
  it("hands the reservation in the CDK context to the API function, or reserves nothing", () => {
    // GIVEN / WHEN an app per setting
    const reservedOf = (context: Record<string, unknown>, id: string): unknown => {
      const cfn = stackWithContext(context, id).api.function.node.defaultChild;
      if (!(cfn instanceof CfnFunction)) throw new Error("the API function has no AWS::Lambda::Function");
      return cfn.reservedConcurrentExecutions;
    };
    // THEN
    expect(reservedOf({ apiReservedConcurrency: "7" }, "Seven")).toBe(7);
    expect(reservedOf({ apiReservedConcurrency: "none" }, "None")).toBeUndefined();
  });
});

describe("alarms", () => {
  it("sends every alarm to an existing topic instead, creating none", () => {
    // GIVEN an existing topic of the stack's region
    const arn = "arn:aws:sns:eu-west-1:123456789012:ops-alarms";
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const { alarmEmail: _email, ...settings } = LOCAL_STACK_SETTINGS;
    const other = new TailorStack(app, "Existing", {
      ...settings,
      alarmTopicArn: arn,
      env: { account: "123456789012", region: "eu-west-1" },
    });
    // THEN
    const existing = Template.fromStack(other);
    existing.resourceCountIs("AWS::SNS::Topic", 0);
    existing.resourceCountIs("AWS::SNS::Subscription", 0);
    const alarms = Object.values(existing.findResources("AWS::CloudWatch::Alarm"));
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(alarmSchema.parse(alarm).Properties.AlarmActions).toEqual([arn]);
  });
});

describe("the stack's settings and checks", () => {
  it("rejects a quarantine alarm threshold that is not a count", () => {
    // GIVEN
    const { stack: other } = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false, checks: false });
    const props = {
      stream: other.events.stream,
      profiles: other.profiles.table,
      quarantineBucket: other.quarantine.bucket,
      timers: other.timers.table,
      segments: other.segments.table,
      transitionsQueue: other.transitions.queue,
      definitions: other.definitions,
      campaigns: other.campaigns,
      sendsQueue: other.sends.queue,
      alarmTopic: other.alarmTopic,
      audit: other.audit,
    };
    // WHEN / THEN
    expect(() => new Ingest(other, "Negative", { ...props, quarantineAlarmThreshold: -1 })).toThrow(
      InfraConfigError,
    );
    expect(() => new Ingest(other, "Fraction", { ...props, quarantineAlarmThreshold: 0.5 })).toThrow(
      /quarantineAlarmThreshold/,
    );
  });

  it("skips bundling when asked, even under the CLI, which asks to bundle every stack", () => {
    // GIVEN the context the CDK CLI hands the app
    const cliContext = process.env.CDK_CONTEXT_JSON;
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ "aws:cdk:bundling-stacks": ["**"] });
    try {
      // WHEN
      const skipped = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false }).stack;
      const plain = new Stack(new App(), "Plain");
      // THEN
      expect(skipped.bundlingRequired).toBe(false);
      expect(plain.bundlingRequired).toBe(true);
    } finally {
      if (cliContext === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = cliContext;
    }
  });

  it("applies the feature flags of cdk.json, as the CLI does", () => {
    // GIVEN
    const { app } = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false, checks: false });
    // THEN
    expect(app.node.tryGetContext("@aws-cdk/aws-iam:minimizePolicies")).toBe(true);
    expect(app.node.tryGetContext("@aws-cdk/aws-lambda:useCdkManagedLogGroup")).toBe(true);
  });

  it("fails the synth on a finding nobody acknowledged", () => {
    // GIVEN a bucket with no logs, no TLS enforcement, no acknowledgement
    const { app, stack } = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false });
    new Bucket(stack, "Careless");
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe("the event stream", () => {
  it("synthesises an on-demand stream with the retention asked for", () => {
    // GIVEN an app asking for on-demand capacity and a week of retention
    const app = new App({
      context: { streamMode: "on-demand", streamRetentionHours: "168", "aws:cdk:bundling-stacks": [] },
    });
    // WHEN
    const stack = new TailorStack(app, "OnDemand", LOCAL_STACK_SETTINGS);
    // THEN
    const streams = Template.fromStack(stack).findResources("AWS::Kinesis::Stream");
    const [stream] = Object.values(streams);
    expect(stream?.Properties).toMatchObject({
      StreamModeDetails: { StreamMode: "ON_DEMAND" },
      RetentionPeriodHours: 168,
    });
    expect(stream?.Properties.ShardCount).toBeUndefined();
  });
});

describe("campaign infrastructure", () => {
  it("takes the sender, identity, rate and concurrency from the CDK context", () => {
    // GIVEN
    const other = stackWithContext({
      fromAddress: "News <news@shop.test>",
      sendRatePerSecond: "30",
      dispatchMaxConcurrency: "3",
      recommenderEndpoint: "Recommender",
    });
    // WHEN
    const otherTemplate = Template.fromStack(other);
    // THEN
    const fn = otherTemplate.toJSON().Resources[logicalIdOf(other.dispatch.function)];
    expect(fn.Properties.Environment.Variables).toMatchObject({
      FROM_ADDRESS: "News <news@shop.test>",
      SEND_RATE_PER_SECOND: "10",
      RECOMMENDER_ENDPOINT: "Recommender",
    });
    otherTemplate.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    const statements = statementsOf(otherTemplate, roleOf(other.dispatch.function));
    const ses = JSON.stringify(statements.filter((s) => s.Action.includes("ses:SendEmail")));
    expect(ses).toContain(":identity/shop.test");
    expect(ses).not.toContain("example.com");
    const sagemaker = JSON.stringify(statements.filter((s) => s.Action.includes("sagemaker:InvokeEndpoint")));
    expect(sagemaker).toContain(":endpoint/recommender");
  });
});

describe("retention", () => {
  it("hands a retention set in the context to the functions", () => {
    // GIVEN
    const app = new App({
      context: { ledgerRetentionDays: "90", auditRetentionDays: "2555", "aws:cdk:bundling-stacks": [] },
    });
    // WHEN
    const custom = new TailorStack(app, "CustomRetention", LOCAL_STACK_SETTINGS);
    // THEN
    const variables = (fn: IFunction): unknown => {
      const cfn = fn.node.defaultChild;
      if (!(cfn instanceof CfnFunction)) throw new Error(`${fn.node.path} has no AWS::Lambda::Function`);
      return custom.resolve(cfn.environment);
    };
    expect(custom.retention).toEqual({
      ledgerRetentionDays: 90,
      auditRetentionDays: 2555,
      timerGraceDays: 30,
      archiveRetentionDays: 400,
    });
    expect(variables(custom.dispatch.function)).toMatchObject({
      variables: { LEDGER_RETENTION_DAYS: "90", TIMER_GRACE_DAYS: "30" },
    });
    expect(variables(custom.api.function)).toMatchObject({ variables: { AUDIT_RETENTION_DAYS: "2555" } });
  });
});
