import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeEndpointCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
  GetAccountCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  NotFoundException,
  SESv2Client,
} from "@aws-sdk/client-sesv2";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type Check, formatChecklist } from "#cli/doctor-checks.js";
import { runDoctor } from "#cli/doctor-probes.js";
import { type DoctorTargets, doctorTargetsFromOutputs } from "#cli/doctor-targets.js";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:Tailor-AlarmsTopic-ABC";

const targets: DoctorTargets = {
  sendingIdentity: "shop.example",
  configurationSetName: "tailor",
  sendRatePerSecond: 14,
  modelEndpoints: { purchase_30d: "tailor-purchase-30d", churn_60d: "tailor-churn-60d" },
  alarmTopicArn: TOPIC,
  eventStreamName: "Tailor-EventsStream-XYZ",
};

const ses = mockClient(SESv2Client);
const sageMaker = mockClient(SageMakerClient);
const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);
const clients = {
  ses: new SESv2Client({ region: "eu-west-1" }),
  sageMaker: new SageMakerClient({ region: "eu-west-1" }),
  sns: new SNSClient({ region: "eu-west-1" }),
  cloudWatch: new CloudWatchClient({ region: "eu-west-1" }),
};
const NOW = new Date("2026-12-06T12:00:00Z");
const meta = { $metadata: {} };

/** A healthy account's answers, recorded from the SDK's response shapes. */
function healthy(): void {
  ses.on(GetEmailIdentityCommand).resolves({
    ...meta,
    IdentityType: "DOMAIN",
    VerifiedForSendingStatus: true,
    DkimAttributes: { SigningEnabled: true, Status: "SUCCESS" },
  });
  ses.on(GetAccountCommand).resolves({
    ...meta,
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: "HEALTHY",
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 120 },
  });
  ses.on(GetConfigurationSetEventDestinationsCommand).resolves({
    ...meta,
    EventDestinations: [
      {
        Name: "tailor-events",
        Enabled: true,
        MatchingEventTypes: ["DELIVERY", "BOUNCE", "COMPLAINT", "OPEN", "CLICK"],
        EventBridgeDestination: { EventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/default" },
      },
    ],
  });
  sageMaker.on(DescribeEndpointCommand).resolves({ ...meta, EndpointStatus: "InService" });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    ...meta,
    Subscriptions: [
      {
        SubscriptionArn: `${TOPIC}:0f1e2d3c-aaaa-bbbb-cccc-1234567890ab`,
        Protocol: "email",
        Endpoint: "ops@shop.example",
        TopicArn: TOPIC,
      },
    ],
  });
  cloudWatch.on(GetMetricDataCommand).resolves({
    ...meta,
    MetricDataResults: [{ Id: "iteratorAge", Values: [800, 1200, 950], StatusCode: "Complete" }],
  });
}

beforeEach(() => {
  for (const mock of [ses, sageMaker, sns, cloudWatch]) mock.reset();
  healthy();
});

afterAll(() => {
  for (const mock of [ses, sageMaker, sns, cloudWatch]) mock.restore();
});

/** Runs doctor and returns the checks keyed by id. */
async function checks(): Promise<Map<string, Check>> {
  const list = await runDoctor(clients, targets, NOW);
  return new Map(list.map((check) => [check.id, check]));
}

/** Runs doctor and returns the one check `id`, asserting that every other check passed. */
async function only(id: string): Promise<Check> {
  const all = await checks();
  const check = all.get(id);
  if (check === undefined) throw new Error(`no check ${id}`);
  const others = [...all.values()].filter((c) => c.id !== id && !c.ok);
  expect(others.map((c) => c.id)).toEqual([]);
  return check;
}

describe("tailor doctor against recorded SDK answers", () => {
  it("passes every check of a healthy account, and reads the right names", async () => {
    const list = await runDoctor(clients, targets, NOW);
    expect(list.map((c) => [c.id, c.ok])).toEqual([
      ["ses-identity", true],
      ["ses-production", true],
      ["ses-quota", true],
      ["ses-configuration-set", true],
      ["model-endpoint:purchase_30d", true],
      ["model-endpoint:churn_60d", true],
      ["alarm-subscription", true],
      ["stream-iterator-age", true],
    ]);
    expect(ses.commandCalls(GetEmailIdentityCommand)[0]?.args[0].input).toEqual({
      EmailIdentity: "shop.example",
    });
    expect(
      sageMaker.commandCalls(DescribeEndpointCommand).map((call) => call.args[0].input.EndpointName),
    ).toEqual(["tailor-purchase-30d", "tailor-churn-60d"]);
    const query = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: "StreamName", Value: "Tailor-EventsStream-XYZ" },
    ]);
    expect(query?.StartTime).toEqual(new Date("2026-12-06T11:00:00Z"));
  });

  it("ses-identity: fails when unverified, without DKIM, or absent", async () => {
    ses.on(GetEmailIdentityCommand).resolves({
      ...meta,
      VerifiedForSendingStatus: true,
      DkimAttributes: { SigningEnabled: true, Status: "PENDING" },
    });
    const pending = await only("ses-identity");
    expect(pending.ok).toBe(false);
    expect(pending.detail).toContain("status PENDING");
    expect(pending.fix).toContain("DKIM CNAME");

    ses.on(GetEmailIdentityCommand).resolves({ ...meta, VerifiedForSendingStatus: false });
    expect((await only("ses-identity")).fix).toContain("finish verifying shop.example");

    ses.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: "not found", ...meta }));
    const absent = await only("ses-identity");
    expect(absent.detail).toBe("no such identity in this account and region");
    expect(absent.fix).toContain("Create identity (shop.example)");
  });

  it("ses-production: fails in the sandbox and when sending is paused", async () => {
    ses.on(GetAccountCommand).resolves({
      ...meta,
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { MaxSendRate: 14, Max24HourSend: 200 },
    });
    const sandbox = await only("ses-production");
    expect(sandbox.ok).toBe(false);
    expect(sandbox.fix).toContain("Request production access");

    ses.on(GetAccountCommand).resolves({
      ...meta,
      ProductionAccessEnabled: true,
      SendingEnabled: false,
      EnforcementStatus: "SHUTDOWN",
      SendQuota: { MaxSendRate: 14 },
    });
    const paused = await only("ses-production");
    expect(paused.detail).toContain("paused");
    expect(paused.detail).toContain("SHUTDOWN");
  });

  it("ses-quota: fails when the account's rate is below sendRatePerSecond, naming the rate to set", async () => {
    ses.on(GetAccountCommand).resolves({
      ...meta,
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { MaxSendRate: 10, Max24HourSend: 50_000 },
    });
    const quota = await only("ses-quota");
    expect(quota.ok).toBe(false);
    expect(quota.detail).toBe("account rate 10/s, 50000 a day; the stack sends at up to 14/s");
    expect(quota.fix).toContain("-c sendRatePerSecond=10");
  });

  it("ses-configuration-set: fails without an enabled EventBridge destination, or without the set", async () => {
    ses.on(GetConfigurationSetEventDestinationsCommand).resolves({
      ...meta,
      EventDestinations: [
        { Name: "to-sns", Enabled: true, MatchingEventTypes: ["SEND"], SnsDestination: { TopicArn: TOPIC } },
        {
          Name: "bridge",
          Enabled: false,
          MatchingEventTypes: ["SEND"],
          EventBridgeDestination: { EventBusArn: "arn:aws:events:x" },
        },
      ],
    });
    const disabled = await only("ses-configuration-set");
    expect(disabled.ok).toBe(false);
    expect(disabled.detail).toBe("EventBridge destination bridge (disabled)");

    ses.on(GetConfigurationSetEventDestinationsCommand).resolves({
      ...meta,
      EventDestinations: [
        { Name: "to-sns", Enabled: true, MatchingEventTypes: ["SEND"], SnsDestination: { TopicArn: TOPIC } },
      ],
    });
    expect((await only("ses-configuration-set")).detail).toBe("1 event destination(s), none to EventBridge");

    ses
      .on(GetConfigurationSetEventDestinationsCommand)
      .rejects(new NotFoundException({ message: "Configuration set <tailor> does not exist.", ...meta }));
    expect((await only("ses-configuration-set")).detail).toBe(
      "no such configuration set in this account and region",
    );
  });

  it("model-endpoint: fails for an endpoint not InService, or missing", async () => {
    sageMaker
      .on(DescribeEndpointCommand, { EndpointName: "tailor-churn-60d" })
      .resolves({ ...meta, EndpointStatus: "Failed", FailureReason: "image not found" });
    const failed = await only("model-endpoint:churn_60d");
    expect(failed.ok).toBe(false);
    expect(failed.detail).toBe("status Failed: image not found");

    sageMaker.on(DescribeEndpointCommand, { EndpointName: "tailor-churn-60d" }).rejects(
      Object.assign(new Error('Could not find endpoint "tailor-churn-60d".'), {
        name: "ValidationException",
      }),
    );
    const missing = await only("model-endpoint:churn_60d");
    expect(missing.detail).toBe("no such endpoint in this account and region");
    expect(missing.fix).toContain('{"churn_60d":"<name>"}');
  });

  it("alarm-subscription: PendingConfirmation is not confirmed; no subscription fails too", async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      ...meta,
      Subscriptions: [{ SubscriptionArn: "PendingConfirmation", Protocol: "email", Endpoint: "ops@x" }],
    });
    const pending = await only("alarm-subscription");
    expect(pending.ok).toBe(false);
    expect(pending.detail).toBe("0 confirmed, 1 pending confirmation");
    expect(pending.fix).toContain("Subscription Confirmation");

    sns.on(ListSubscriptionsByTopicCommand).resolves({ ...meta, Subscriptions: [] });
    expect((await only("alarm-subscription")).fix).toContain(`aws sns subscribe --topic-arn ${TOPIC}`);
  });

  it("alarm-subscription: reads every page of subscriptions", async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolvesOnce({
        ...meta,
        Subscriptions: [{ SubscriptionArn: "PendingConfirmation" }],
        NextToken: "page-2",
      })
      .resolvesOnce({ ...meta, Subscriptions: [{ SubscriptionArn: `${TOPIC}:1`, Protocol: "sms" }] });
    const check = await only("alarm-subscription");
    expect(check.ok).toBe(true);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)[1]?.args[0].input.NextToken).toBe("page-2");
  });

  it("stream-iterator-age: fails past 5 minutes; no datapoints pass", async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      ...meta,
      MetricDataResults: [{ Id: "iteratorAge", Values: [1_000, 2 * 3_600_000, 5_000] }],
    });
    const lagging = await only("stream-iterator-age");
    expect(lagging.ok).toBe(false);
    expect(lagging.detail).toBe("max 2.0 h over the last hour, latest 1 s");

    cloudWatch
      .on(GetMetricDataCommand)
      .resolves({ ...meta, MetricDataResults: [{ Id: "iteratorAge", Values: [] }] });
    const idle = await only("stream-iterator-age");
    expect(idle.ok).toBe(true);
    expect(idle.detail).toContain("no reads");
  });

  it("a denied call fails its own check only, naming the permission", async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const denied = await only("stream-iterator-age");
    expect(denied.ok).toBe(false);
    expect(denied.detail).toBe("could not read it: AccessDeniedException: not authorized");
    expect(denied.fix).toContain("cloudwatch:GetMetricData");
  });
});

describe("tailor doctor without access", () => {
  it("says once that no call went through, instead of failing every check alike", async () => {
    const expired = Object.assign(new Error("The security token included in the request is expired"), {
      name: "ExpiredTokenException",
    });
    for (const mock of [ses, sageMaker, sns, cloudWatch]) mock.reset();
    ses.onAnyCommand().rejects(expired);
    sageMaker.onAnyCommand().rejects(expired);
    sns.onAnyCommand().rejects(expired);
    cloudWatch.onAnyCommand().rejects(expired);
    await expect(runDoctor(clients, targets, NOW)).rejects.toThrow(
      "no AWS call succeeded (ExpiredTokenException: The security token included in the request is expired)",
    );
  });
});

describe("the printed checklist", () => {
  it("marks each check, prints the fix under a failure only, and counts failures", async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ ...meta, Subscriptions: [] });
    const text = formatChecklist(await runDoctor(clients, targets, NOW));
    const lines = text.split("\n");
    expect(lines[0]).toBe("✓ SES identity shop.example verified, DKIM on");
    expect(lines[1]).toBe("    verified for sending: yes; DKIM signing enabled, status SUCCESS");
    expect(lines[2]).toBe("✓ SES production access");
    expect(text).toContain(
      "✗ alarm topic has a confirmed subscription\n    0 confirmed\n    fix: subscribe someone",
    );
    expect(text.match(/fix:/g)).toHaveLength(1);
    expect(lines.at(-2)).toBe("1 of 8 checks fail");
  });
});

describe("the stack outputs doctor reads", () => {
  const outputs = {
    Tailor: {
      SendingIdentity: "shop.example",
      ConfigurationSetName: "tailor",
      SendRatePerSecond: "14",
      ModelEndpoints: '{"purchase_30d":"tailor-purchase-30d","churn_60d":"tailor-churn-60d"}',
      AlarmTopicArn: TOPIC,
      EventStreamName: "Tailor-EventsStream-XYZ",
      ApiUrl: "https://x.execute-api.eu-west-1.amazonaws.com/",
    },
  };

  it("reads the targets of the named stack from cdk's outputs file", () => {
    expect(doctorTargetsFromOutputs("o.json", outputs, "Tailor")).toEqual(targets);
  });

  it("names the stacks it has when the name is wrong, and each missing output", () => {
    expect(() => doctorTargetsFromOutputs("o.json", outputs, "tailor")).toThrow(
      "o.json: no stack tailor (it has Tailor) — pass --stack-name",
    );
    const { AlarmTopicArn: _dropped, ...stale } = outputs.Tailor;
    expect(() => doctorTargetsFromOutputs("o.json", { Tailor: stale }, "Tailor")).toThrow(/AlarmTopicArn/);
    expect(() =>
      doctorTargetsFromOutputs("o.json", { Tailor: { ...outputs.Tailor, ModelEndpoints: "[1]" } }, "Tailor"),
    ).toThrow("output ModelEndpoints must be a JSON object");
  });
});
