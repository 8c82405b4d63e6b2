import { App, Stack } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { resolveAlarmDestination } from "#infra/components/alarm-settings.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { MissingSettingError } from "#infra/components/missing-setting-error.js";
import { sesFeedbackPattern } from "#infra/components/ses-feedback.js";
import { checkSettingKeys, closestSettingKey, SETTING_KEYS } from "#infra/components/setting-keys.js";
import { matchesPattern, parseEventPattern } from "#infra/local/event-pattern.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { TailorStack } from "#infra/tailor-stack.js";
import { sesEventFor } from "#shared/sim/ses-events.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

const REQUIRED = ["fromAddress", "shopName", "shopUrl", "shopLogoUrl", "shopPostalAddress", "alarmEmail"];

/** A stack built without bundling or checks from `context` alone, as `cdk synth -c key=value` gives it. */
function stackFromContext(context: Record<string, unknown>, id = "Tailor"): TailorStack {
  return new TailorStack(new App({ context: { ...context, "aws:cdk:bundling-stacks": [] } }), id);
}

/** What building the stack from `context` throws. */
function errorOf(context: Record<string, unknown>): unknown {
  try {
    stackFromContext(context);
  } catch (error) {
    return error;
  }
  return undefined;
}

const without = (key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(LOCAL_STACK_SETTINGS).filter(([k]) => k !== key));

const alarmSchema = z.object({
  Properties: z.object({ AlarmActions: z.array(z.unknown()), OKActions: z.array(z.unknown()).optional() }),
});

describe("required settings", () => {
  it("fails a synth without settings, naming every required one with an example", () => {
    // WHEN the stack is built with no settings at all
    const error = errorOf({});
    // THEN one error names each, with what to type
    expect(error).toBeInstanceOf(MissingSettingError);
    if (!(error instanceof MissingSettingError)) return;
    expect(error.keys).toEqual(REQUIRED);
    expect(error.message).toContain('-c fromAddress="Shop <news@shop.example>"');
    expect(error.message).toContain("-c alarmEmail=ops@shop.example");
    expect(error.message).toContain("alarmTopicArn");
  });

  it("names only what is missing, an empty value counting as missing", () => {
    for (const key of ["fromAddress", "shopPostalAddress"]) {
      const error = errorOf(without(key));
      expect(error).toBeInstanceOf(MissingSettingError);
      if (error instanceof MissingSettingError) expect(error.keys).toEqual([key]);
    }
    const empty = errorOf({ ...LOCAL_STACK_SETTINGS, shopName: "" });
    expect(empty instanceof MissingSettingError ? empty.keys : empty).toEqual(["shopName"]);
  });

  it("fails `cdk synth` (bin/app.ts's buildApp(), the context as the CDK CLI passes it) without them", () => {
    // GIVEN the context of `cdk synth -c fromAddress=…` alone, as the CLI hands it to the app: CDK_CONTEXT_JSON
    const before = process.env.CDK_CONTEXT_JSON;
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ fromAddress: "Shop <news@shop.example>" });
    let error: unknown;
    try {
      // WHEN bin/app.ts builds the app (no settings of its own)
      buildApp({ bundling: false, checks: false });
    } catch (thrown) {
      error = thrown;
    } finally {
      if (before === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = before;
    }
    // THEN it stops, naming what is still missing and not what was given
    expect(error).toBeInstanceOf(MissingSettingError);
    expect(String(error)).toContain("-c shopPostalAddress=");
    expect(String(error)).not.toContain("-c fromAddress=");
  });

  it("gives the local stack and the tests the simulator's shop explicitly, never as defaults", () => {
    // GIVEN the app as `cdk synth` builds it (no settings passed), and as the local stack does
    const { stack } = defaultApp();
    // THEN the local one sends as the demo shop of example.com
    expect(stack.campaignSettings.fromAddress).toBe("Tailor Demo Shop <shop@example.com>");
    expect(stack.campaignSettings.sendingIdentity).toBe("example.com");
  });
});

describe("unknown settings", () => {
  it("refuses a misspelt key by name, suggesting the closest known one", () => {
    // WHEN `-c fromAdress=…` is given next to every required setting
    const error = errorOf({ ...LOCAL_STACK_SETTINGS, fromAdress: "Shop <news@shop.example>" });
    // THEN
    expect(error).toBeInstanceOf(InfraConfigError);
    expect(String(error)).toContain("fromAdress is not a Tailor setting (did you mean fromAddress?)");
  });

  it("refuses a key like no setting without a guess, and lets the CDK's own keys through", () => {
    const error = errorOf({ ...LOCAL_STACK_SETTINGS, colour: "blue" });
    expect(String(error)).toContain("colour is not a Tailor setting.");
    expect(String(error)).not.toContain("did you mean");
    expect(closestSettingKey("apireservedconcurency")).toBe("apiReservedConcurrency");
    expect(closestSettingKey("alarmTopic")).toBe("alarmTopicArn");
    expect(closestSettingKey("zzz")).toBeUndefined();
    // The feature flags of cdk.json, the CLI's keys and cached lookups are the CDK's
    const { stack } = defaultApp();
    expect(Object.keys(stack.node.getAllContext())).toContain("@aws-cdk/core:enablePartitionLiterals");
    // (the check the stack runs first, alone: a whole stack built to see nothing refused would cost seconds)
    const cdkKeys = new App({
      context: {
        ...LOCAL_STACK_SETTINGS,
        "acknowledged-issue-numbers": [1],
        "availability-zones:account=1:region=r": ["a"],
      },
    }).node;
    expect(() => checkSettingKeys(cdkKeys)).not.toThrow();
    expect(() => checkSettingKeys(new App({ context: { colour: "blue" } }).node)).toThrow(/colour/);
  });

  it("lists every key the stack reads, once", () => {
    expect(new Set(SETTING_KEYS).size).toBe(SETTING_KEYS.length);
    for (const key of [...REQUIRED, "alarmTopicArn", "apiReservedConcurrency", "modelEndpoints"]) {
      expect(SETTING_KEYS).toContain(key);
    }
  });
});

describe("alarm destination", () => {
  let template: Template;
  let stack: TailorStack;

  beforeAll(() => {
    ({ stack, template } = defaultApp());
  });

  it("subscribes the alarm email to the stack's topic, and every alarm notifies that topic", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "alarms@example.com",
      TopicArn: { Ref: logicalIdOf(stack.alarmTopic) },
    });
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"));
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) {
      const { AlarmActions, OKActions } = alarmSchema.parse(alarm).Properties;
      expect(AlarmActions).toEqual([{ Ref: logicalIdOf(stack.alarmTopic) }]);
      expect(OKActions).toEqual([{ Ref: logicalIdOf(stack.alarmTopic) }]);
    }
  });

  it("takes several addresses, and refuses both, neither, a bad address, a bad ARN or another region", () => {
    const node = (context: Record<string, unknown>) => new App({ context }).node;
    expect(
      resolveAlarmDestination({}, node({ alarmEmail: "a@x.example, b@x.example" }), "eu-west-1"),
    ).toEqual({
      kind: "email",
      addresses: ["a@x.example", "b@x.example"],
    });
    const arn = "arn:aws:sns:eu-west-1:123456789012:ops";
    expect(() => resolveAlarmDestination({}, node({}), "eu-west-1")).toThrow(MissingSettingError);
    expect(() =>
      resolveAlarmDestination({ alarmEmail: "a@x.example" }, node({ alarmTopicArn: arn }), "eu-west-1"),
    ).toThrow(/both set/);
    expect(() => resolveAlarmDestination({ alarmEmail: "ops" }, node({}), "eu-west-1")).toThrow(/alarmEmail/);
    expect(() => resolveAlarmDestination({ alarmTopicArn: "ops-alarms" }, node({}), "eu-west-1")).toThrow(
      /alarmTopicArn must be an SNS topic ARN/,
    );
    expect(() => resolveAlarmDestination({ alarmTopicArn: arn }, node({}), "us-east-1")).toThrow(
      /eu-west-1 but the stack deploys to us-east-1/,
    );
    // An environment-agnostic stack (region unknown at synth) takes the ARN as given
    expect(resolveAlarmDestination({ alarmTopicArn: arn }, node({}), new Stack().region)).toEqual({
      kind: "topic",
      topicArn: arn,
    });
  });

  it("alarms on sends that failed for good (SES rejections), from dispatch's count", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "Tailor",
      MetricName: "SendsFailedPermanent",
      Dimensions: [{ Name: "service", Value: "dispatch" }],
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmDescription: Match.stringLikeRegexp("MessageRejected"),
      AlarmActions: [{ Ref: logicalIdOf(stack.alarmTopic) }],
    });
  });
});

describe("scheduled campaign runs", () => {
  it("keeps a tick EventBridge could not deliver on an encrypted dead-letter queue with an alarm", () => {
    const { stack, template } = defaultApp();
    const queue = stack.campaignTriggers.scheduleDeadLetterQueue;
    expect(
      template.findResources("AWS::SQS::Queue")[logicalIdOf(queue)]?.Properties.KmsMasterKeyId,
    ).toBeDefined();
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalIdOf(queue), "QueueName"] } }],
      AlarmDescription: Match.stringLikeRegexp("could not start its fan-out"),
    });
  });
});

describe("API concurrency", () => {
  it("reserves none by default", () => {
    const { stack, template } = defaultApp();
    const fn = template.findResources("AWS::Lambda::Function")[logicalIdOf(stack.api.function)];
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe("SES feedback rule", () => {
  it("matches the SES events of Tailor's configuration set only", () => {
    // GIVEN the rule's pattern, read as the local stack reads it
    const { stack, template } = defaultApp();
    const rule = template.findResources("AWS::Events::Rule")[logicalIdOf(stack.sesFeedback.rule)];
    expect(rule?.Properties.EventPattern).toEqual(sesFeedbackPattern("tailor"));
    const parsed = parseEventPattern(rule?.Properties.EventPattern);
    if (!parsed.ok) throw new Error(parsed.reason);
    // WHEN SES publishes a delivery of Tailor's set and one of another application's
    const mail = (configurationSetName: string) => ({
      messageId: "m-1",
      from: "Shop <news@shop.example>",
      to: ["ada@example.com"],
      sentAt: Date.UTC(2026, 0, 1),
      customerId: "c-1",
      campaignId: "welcome",
      variant: "a",
      configurationSetName,
    });
    const at = Date.UTC(2026, 0, 1, 0, 1);
    // THEN only Tailor's reaches the feedback function
    expect(matchesPattern(parsed.pattern, sesEventFor(mail("tailor"), { type: "Delivery" }, at))).toBe(true);
    expect(matchesPattern(parsed.pattern, sesEventFor(mail("billing"), { type: "Delivery" }, at))).toBe(
      false,
    );
  });
});
