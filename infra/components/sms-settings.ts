import type { Node } from "constructs";
import { InfraConfigError } from "./infra-config-error.js";
import { MissingSettingError, type RequiredSetting } from "./missing-setting-error.js";
import { isSwitchedOn } from "./on-off-setting.js";

/** The SMS settings, as props or CDK context (`-c sms=on -c smsOriginationIdentity=arn:… -c smsConfigurationSet=…`). */
export interface SmsSettingsInput {
  /**
   * Send texts through AWS End User Messaging SMS: campaign steps with `channel: sms | email-else-sms`, and the
   * feedback function fed by the configuration set's SNS event destination and the number's two-way replies.
   * @default "off" (SMS steps are skipped, saying so)
   */
  readonly sms?: "on" | "off";
  /** The ARN of the phone number, sender id or pool texts are sent from. Required when SMS is on. */
  readonly smsOriginationIdentity?: string;
  /** The name of the End User Messaging SMS configuration set every text names, created by the stack. Required when SMS is on. */
  readonly smsConfigurationSet?: string;
}

/** The settings' context keys, for the one list of known keys. */
export const SMS_CONTEXT_KEYS = ["sms", "smsOriginationIdentity", "smsConfigurationSet"] as const;

/** The SMS settings, resolved: absent when SMS is off. */
export interface SmsSettings {
  readonly originationIdentityArn: string;
  readonly configurationSetName: string;
}

/** An origination identity's ARN: a phone number, a sender id or a pool of End User Messaging SMS. */
const IDENTITY_ARN =
  /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|sender-id|pool)\/[A-Za-z0-9_:/-]+$/;
/** A configuration set's name, as the service takes it. */
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const REQUIRED: Readonly<Record<"smsOriginationIdentity" | "smsConfigurationSet", RequiredSetting>> = {
  smsOriginationIdentity: {
    key: "smsOriginationIdentity",
    what: "the ARN of the phone number, sender id or pool texts are sent from",
    example: "arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-0123456789abcdef",
  },
  smsConfigurationSet: {
    key: "smsConfigurationSet",
    what: "the name of the End User Messaging SMS configuration set the stack creates for texts (its events feed delivery back)",
    example: "tailor-sms",
  },
};

/**
 * The SMS settings from the props, else the CDK context of `node`: `undefined` when SMS is off (the default).
 * Throws {@link MissingSettingError} when it is on without its identity or configuration set, and
 * {@link InfraConfigError} naming the setting, the rule and an example on a value it cannot take.
 */
export function resolveSmsSettings(input: SmsSettingsInput, node: Node): SmsSettings | undefined {
  const read = (key: keyof SmsSettingsInput): unknown => input[key] ?? node.tryGetContext(key);
  if (!isSwitchedOn("sms", read("sms"))) return undefined;
  const identity = read("smsOriginationIdentity");
  const configurationSet = read("smsConfigurationSet");
  const missing = [
    ...(identity === undefined || identity === "" ? [REQUIRED.smsOriginationIdentity] : []),
    ...(configurationSet === undefined || configurationSet === "" ? [REQUIRED.smsConfigurationSet] : []),
  ];
  if (missing.length > 0) throw new MissingSettingError(missing);
  if (typeof identity !== "string" || !IDENTITY_ARN.test(identity)) {
    throw new InfraConfigError(
      `smsOriginationIdentity must be the ARN of a phone number, sender id or pool (e.g. -c smsOriginationIdentity=${REQUIRED.smsOriginationIdentity.example}), got ${JSON.stringify(identity)}`,
    );
  }
  if (typeof configurationSet !== "string" || !CONFIGURATION_SET_NAME.test(configurationSet)) {
    throw new InfraConfigError(
      `smsConfigurationSet must be 1 to 64 letters, digits, _ or - (e.g. -c smsConfigurationSet=tailor-sms), got ${JSON.stringify(configurationSet)}`,
    );
  }
  return { originationIdentityArn: identity, configurationSetName: configurationSet };
}
