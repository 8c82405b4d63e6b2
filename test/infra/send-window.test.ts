import { App, Duration, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { DISPATCH_TIMEOUT, SEND_CLAIM_LEASE } from "#infra/components/dispatch.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { checkClaimLease, SendQueue } from "#infra/components/send-queue.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { SEND_CLAIM_LEASE_MS } from "#shared/aws/dynamo-send-ledger.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, logicalIdOf, statementsOf } from "./template-queries.js";

/**
 * Issue 13, item 4: the send window closed as far as SES allows. The configuration set publishes `Send`, the SES
 * feedback function may record it in the ledger, and the claim lease sits between dispatch's timeout and the sends
 * queue's visibility timeout, so a crashed claim is retaken within minutes.
 */
describe("the send window in the stack", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  const propertiesOf = (construct: IConstruct) => {
    const resource: unknown = template.toJSON().Resources[logicalIdOf(construct)];
    if (typeof resource !== "object" || resource === null || !("Properties" in resource)) {
      throw new Error(`${construct.node.path} has no properties`);
    }
    return resource.Properties;
  };
  const numberIn = (properties: unknown, key: string): number => {
    const value: unknown =
      typeof properties === "object" && properties !== null && key in properties
        ? Object.entries(properties).find(([name]) => name === key)?.[1]
        : undefined;
    if (typeof value !== "number") throw new Error(`${key} is not a number`);
    return value;
  };

  it("the configuration set publishes SES's Send events", () => {
    // THEN
    const destinations = Object.values(template.findResources("AWS::SES::ConfigurationSetEventDestination"));
    expect(destinations).toHaveLength(1);
    expect(JSON.stringify(destinations[0])).toContain('"send"');
  });

  it("the claim lease outlasts dispatch's timeout, and a crashed message comes back soon after it ends", () => {
    // THEN
    const timeout = numberIn(propertiesOf(stack.dispatch.function), "Timeout");
    const visibility = numberIn(propertiesOf(stack.sends.queue), "VisibilityTimeout");
    const lease = SEND_CLAIM_LEASE_MS / 1000;
    expect({ timeout, lease, visibility }).toEqual({ timeout: 60, lease: 240, visibility: 360 });
    expect(lease).toBeGreaterThan(timeout);
    // However late in its invocation the claim was made, the next receive finds its lease over…
    expect(lease + timeout).toBeLessThanOrEqual(visibility);
    // … and it comes within minutes, not the 18–20 of a 15-minute lease.
    expect(visibility).toBeLessThanOrEqual(6 * 60);
    expect(SEND_CLAIM_LEASE.toMilliseconds()).toBe(SEND_CLAIM_LEASE_MS);
  });

  it("the SES feedback function knows the ledger and may only put items in it", () => {
    // THEN
    const feedback = stack.sesFeedback.function;
    const env = JSON.stringify(propertiesOf(feedback));
    expect(env).toContain(
      JSON.stringify({ LEDGER_TABLE: stack.resolve(stack.ledger.table.tableName) }).slice(1, -1),
    );
    const role = feedback.role;
    if (role === undefined) throw new Error("no role");
    const actions = actionsOn(statementsOf(template, role), logicalIdOf(stack.ledger.table));
    expect(actions).toEqual(["dynamodb:PutItem"]);
  });
});

describe("checkClaimLease", () => {
  const alarmTopic = () => new Topic(new Stack(new App(), "S"), "T");

  it("accepts the shipped values", () => {
    expect(() => checkClaimLease(SEND_CLAIM_LEASE, DISPATCH_TIMEOUT, Duration.seconds(360))).not.toThrow();
  });

  it("refuses a lease no longer than dispatch's timeout: a running attempt's claim could be taken over", () => {
    expect(() => checkClaimLease(Duration.seconds(60), Duration.seconds(60), Duration.seconds(360))).toThrow(
      InfraConfigError,
    );
  });

  it("refuses a lease that, with the timeout, outlasts the visibility: the message comes back still blocked", () => {
    // GIVEN the old 15-minute lease
    const topic = alarmTopic();
    // WHEN, THEN
    expect(
      () =>
        new SendQueue(Stack.of(topic), "Sends", {
          alarmTopic: topic,
          consumerTimeout: DISPATCH_TIMEOUT,
          claimLease: Duration.minutes(15),
        }),
    ).toThrow(/visibility timeout/);
  });
});
