import { Token } from "aws-cdk-lib";
import type { Node } from "constructs";
import { InfraConfigError } from "./infra-config-error.js";
import { MissingSettingError, type RequiredSetting } from "./missing-setting-error.js";

/** Where the alarms go: stack props, else CDK context (`-c alarmEmail=ops@shop.example`). One is required. */
export interface AlarmSettingsInput {
  /**
   * Email addresses (comma-separated in the context) subscribed to the alarm topic the stack creates. Each
   * receives a confirmation email from SNS and gets nothing until the link in it is followed.
   */
  readonly alarmEmail?: string;
  /**
   * The ARN of an existing SNS topic (of the stack's account and region) every alarm notifies instead of a topic
   * of the stack's own: a pager or chat integration already subscribed to it. If it is encrypted, its key must
   * let `cloudwatch.amazonaws.com` use it (`kms:Decrypt`, `kms:GenerateDataKey*`).
   */
  readonly alarmTopicArn?: string;
}

/** The context keys read, the same names as the props. */
export const ALARM_CONTEXT_KEYS = ["alarmEmail", "alarmTopicArn"] as const;

/** The alarm destination, resolved: the stack's own topic with email subscriptions, or an existing topic. */
export type AlarmDestination =
  | { readonly kind: "email"; readonly addresses: readonly string[] }
  | { readonly kind: "topic"; readonly topicArn: string };

/** What is required when neither is given. */
export const REQUIRED_ALARM_SETTING: RequiredSetting = {
  key: "alarmEmail",
  what: "who hears about failures: an email address, or alarmTopicArn=<an existing SNS topic's ARN>",
  example: "ops@shop.example",
};

const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/;

function given(input: AlarmSettingsInput, node: Node, key: (typeof ALARM_CONTEXT_KEYS)[number]): unknown {
  const value: unknown = input[key] ?? node.tryGetContext(key);
  return value === "" ? undefined : value;
}

/** Whether an alarm destination is given at all (for the stack's one list of what is missing). */
export function hasAlarmDestination(input: AlarmSettingsInput, node: Node): boolean {
  return given(input, node, "alarmEmail") !== undefined || given(input, node, "alarmTopicArn") !== undefined;
}

/**
 * Resolves where the alarms go. Throws {@link MissingSettingError} when neither `alarmEmail` nor
 * `alarmTopicArn` is given, {@link InfraConfigError} when both are, or when one is malformed (an address that
 * is not one, an ARN that is not an SNS topic's, or a topic of another region than the stack's: CloudWatch
 * alarms notify topics of their own region only).
 */
export function resolveAlarmDestination(
  input: AlarmSettingsInput,
  node: Node,
  stackRegion: string,
): AlarmDestination {
  const email = given(input, node, "alarmEmail");
  const topicArn = given(input, node, "alarmTopicArn");
  if (email === undefined && topicArn === undefined) throw new MissingSettingError([REQUIRED_ALARM_SETTING]);
  if (email !== undefined && topicArn !== undefined) {
    throw new InfraConfigError(
      "alarmEmail and alarmTopicArn are both set: give one (subscribe the address to your topic instead)",
    );
  }
  if (email !== undefined) {
    const addresses = String(email)
      .split(",")
      .map((address) => address.trim());
    const bad = addresses.filter((address) => !EMAIL.test(address));
    if (bad.length > 0) {
      throw new InfraConfigError(
        `alarmEmail must be email addresses, comma-separated (e.g. ops@shop.example), got ${JSON.stringify(email)}`,
      );
    }
    return { kind: "email", addresses };
  }
  const arn = String(topicArn);
  const parts = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[\w-]{1,256}$/.exec(arn);
  if (parts === null) {
    throw new InfraConfigError(
      `alarmTopicArn must be an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:ops-alarms, got ${JSON.stringify(topicArn)}`,
    );
  }
  const region = parts[1];
  if (!Token.isUnresolved(stackRegion) && region !== stackRegion) {
    throw new InfraConfigError(
      `alarmTopicArn is in ${region ?? "no region"} but the stack deploys to ${stackRegion}: alarms notify topics of their own region only`,
    );
  }
  return { kind: "topic", topicArn: arn };
}
