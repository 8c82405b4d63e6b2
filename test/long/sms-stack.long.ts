import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { SMS_RESOURCES } from "#cli/sms-cost.js";
import { buildApp } from "#infra/app.js";
import { ENTRY_METADATA, LOCAL_NAME_TAG, SMS_LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "#test/infra/shared-app.js";
import { actionsOn, logicalIdOf, statementsOf } from "#test/infra/template-queries.js";

const IDENTITY = "arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-0123456789abcdef";
const SMS_ON = { sms: "on", smsOriginationIdentity: IDENTITY, smsConfigurationSet: "tailor-sms" } as const;

const policySchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({
      Statement: z.array(
        z.object({
          Action: z.union([z.string(), z.array(z.string())]),
          Resource: z.unknown(),
          Condition: z.unknown().optional(),
        }),
      ),
    }),
  }),
});

describe("the stack with SMS on", () => {
  // GIVEN the app with SMS on, cdk-nag and CloudFormation validation on: the one extra synth of this file
  let stack: TailorStack;
  let template: Template;
  beforeAll(() => {
    const built = buildApp({ settings: { ...LOCAL_STACK_SETTINGS, ...SMS_ON }, bundling: false });
    stack = built.stack;
    built.app.synth();
    template = Template.fromStack(stack);
  }, 120_000);
  const statementsWith = (action: string) =>
    Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) =>
      policySchema
        .parse(policy)
        .Properties.PolicyDocument.Statement.filter((each) => [each.Action].flat().includes(action)),
    );
  const feedback = () => {
    if (stack.smsFeedback === undefined) throw new Error("SMS is off");
    return stack.smsFeedback;
  };

  it("builds the SMS feedback function from its entry, the optional one the bundle budgets also build", () => {
    const entries = Object.values(template.findResources("AWS::Lambda::Function")).map(
      (fn) => fn.Metadata?.[ENTRY_METADATA],
    );
    expect(entries).toContain("functions/sms-feedback/handler.ts");
  });

  it("lets dispatch send texts from the identity with the configuration set only, and name them in its environment", () => {
    const dispatchId = logicalIdOf(stack.dispatch.function);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          SMS_ORIGINATION_IDENTITY: IDENTITY,
          SMS_CONFIGURATION_SET: "tailor-sms",
        }),
      },
    });
    expect(template.findResources("AWS::Lambda::Function")[dispatchId]).toBeDefined();
    const send = statementsWith("sms-voice:SendTextMessage");
    expect(send).toHaveLength(1);
    const resources = JSON.stringify(send[0]?.Resource);
    expect(resources).toContain(IDENTITY);
    expect(resources).toMatch(/:configuration-set\/tailor-sms/);
    expect(JSON.stringify(send[0]?.Resource)).not.toMatch(/"\*"/);
    // The phone index only: PutItem on leading keys p#…, never a customer's profile.
    const put = statementsWith("dynamodb:PutItem").filter((each) =>
      JSON.stringify(each).includes("LeadingKeys"),
    );
    expect(put.map((each) => each.Condition)).toEqual([
      { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["p#*"] } },
    ]);
  });

  it("feeds the configuration set's events and the two-way replies (two encrypted SNS topics) to the feedback function", () => {
    const fnId = logicalIdOf(feedback().function);
    const subscriptions = template.findResources("AWS::SNS::Subscription", {
      Properties: { Protocol: "lambda", Endpoint: { "Fn::GetAtt": [fnId, "Arn"] } },
    });
    expect(Object.keys(subscriptions)).toHaveLength(2);
    for (const subscription of Object.values(subscriptions)) {
      expect(JSON.stringify(subscription)).toMatch(/RedrivePolicy/);
    }
    for (const topic of [feedback().eventsTopic, feedback().repliesTopic]) {
      const resource = template.findResources("AWS::SNS::Topic")[logicalIdOf(topic)];
      expect(JSON.stringify(resource)).toMatch(/KmsMasterKeyId/);
    }
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: "sns:Publish", Principal: { Service: "sms-voice.amazonaws.com" } }),
        ]),
      },
    });
    template.hasOutput("*", {
      Description: Match.stringLikeRegexp("SMS configuration set's event destination"),
    });
  });

  it("routes texts' short links (GET /l/{token}) to the API, throttled like the signed-link pages, with GetItem on the ledger", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "GET /l/{token}" });
    const stages = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"));
    const settings = stages.map((stage) => JSON.stringify(stage.Properties?.RouteSettings ?? {}));
    expect(settings.some((each) => each.includes('"GET /l/{token}"'))).toBe(true);
    const role = stack.api.function.role;
    if (role === undefined) throw new Error("the API function has no role");
    expect(actionsOn(statementsOf(template, role), logicalIdOf(stack.ledger.table))).toContain(
      "dynamodb:GetItem",
    );
  });

  it("creates the configuration set texts name, its every event published to the events topic once it may", () => {
    // THEN one configuration set, named as the setting says, with one SNS destination: the events topic
    const sets = Object.entries(template.findResources("AWS::SMSVOICE::ConfigurationSet"));
    expect(sets).toHaveLength(1);
    const [setId, set] = sets[0] ?? [];
    expect(set?.Properties).toEqual({
      ConfigurationSetName: "tailor-sms",
      EventDestinations: [
        {
          EventDestinationName: "tailor-feedback",
          Enabled: true,
          MatchingEventTypes: ["ALL"],
          SnsDestination: { TopicArn: { Ref: logicalIdOf(feedback().eventsTopic) } },
        },
      ],
    });
    // ...after the topic's policy lets the service publish, and before dispatch may send
    const eventsTopicId = logicalIdOf(feedback().eventsTopic);
    const policyIds = Object.entries(template.findResources("AWS::SNS::TopicPolicy"))
      .filter(([, policy]) => JSON.stringify(policy.Properties.Topics).includes(eventsTopicId))
      .map(([id]) => id);
    expect(policyIds).toHaveLength(1);
    expect(set?.DependsOn).toEqual(expect.arrayContaining(policyIds));
    const dispatch = template.toJSON().Resources[logicalIdOf(stack.dispatch.function)];
    expect(dispatch.DependsOn).toContain(setId);
  });

  it("alarms on the feedback function's errors and on its dead-letter queue, and names them for the local stack", () => {
    const alarms = Object.values(feedback().alarms);
    expect(alarms).toHaveLength(2);
    // What tailor cost adds for SMS (cli/sms-cost.ts) is what the stack declares.
    expect(alarmCountOf(template)).toBe(alarmCountOf(defaultApp().template) + SMS_RESOURCES.alarms);
    const keys = (each: Template) => Object.keys(each.findResources("AWS::KMS::Key")).length;
    expect(keys(template)).toBe(keys(defaultApp().template) + SMS_RESOURCES.kmsKeys);
    for (const name of [
      SMS_LOCAL_NAMES.smsFeedbackFunction,
      SMS_LOCAL_NAMES.smsEventsTopic,
      SMS_LOCAL_NAMES.smsRepliesTopic,
    ]) {
      expect(JSON.stringify(template.toJSON())).toContain(`"Key":"${LOCAL_NAME_TAG}","Value":"${name}"`);
    }
  });
});

function alarmCountOf(template: Template): number {
  return Object.keys(template.findResources("AWS::CloudWatch::Alarm")).length;
}
