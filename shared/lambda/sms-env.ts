import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { z } from "zod";
import type { SmsDispatchDeps } from "../app/dispatch-deps.js";
import { DynamoPhoneIndex } from "../aws/dynamo-phone-index.js";
import { SmsVoiceV2Sender } from "../aws/sms-voice-v2-sender.js";
import type { SmsTemplate } from "../render/sms-templates.js";
import { SmsRenderer } from "../render/sms-templates.js";

/**
 * The SMS settings of dispatch (`-c sms=on`): all absent when SMS is off. The stack sets them from
 * `smsOriginationIdentity` and `smsConfigurationSet`.
 */
export const smsEnvShape = {
  /** The phone number, sender id or pool (id or ARN) texts are sent from. Set: SMS is on. */
  SMS_ORIGINATION_IDENTITY: z.string().min(1).optional(),
  /** The End User Messaging SMS configuration set whose event destination feeds delivery events back. */
  SMS_CONFIGURATION_SET: z.string().min(1).optional(),
  /** The region of End User Messaging SMS. @default the function's region */
  SMS_REGION: z.string().min(1).optional(),
  /** Most a text's part may cost, in US dollars (`0.10`): a text above it is refused. @default no limit */
  SMS_MAX_PRICE: z
    .string()
    .regex(/^\d{1,2}\.\d{2,5}$/, "a price in US dollars like 0.10")
    .optional(),
} as const;

/** The SMS part of an environment. */
export type SmsEnv = { readonly [K in keyof typeof smsEnvShape]?: string | undefined };

/** Both SMS settings or neither: a refine of an environment schema holding {@link smsEnvShape}. */
export const smsSettingsTogether = (env: SmsEnv): boolean =>
  (env.SMS_ORIGINATION_IDENTITY === undefined) === (env.SMS_CONFIGURATION_SET === undefined);

/** The message of {@link smsSettingsTogether}. */
export const SMS_SETTINGS_TOGETHER_MESSAGE =
  "SMS_ORIGINATION_IDENTITY and SMS_CONFIGURATION_SET: set both (SMS on) or neither (SMS off), " +
  "e.g. SMS_ORIGINATION_IDENTITY=arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-abc and " +
  "SMS_CONFIGURATION_SET=tailor-sms";

/**
 * Dispatch's SMS channel from the environment, or undefined when SMS is off: the End User Messaging SMS sender
 * (its client with `maxAttempts: 1`, dispatch retries; the endpoint from `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`
 * locally), the SMS templates shipped in the compiled templates, and the phone index in the profiles table.
 */
export function smsDispatchDeps(
  env: SmsEnv,
  templates: readonly SmsTemplate[],
  phones: { readonly client: DynamoDBClient; readonly tableName: string },
): SmsDispatchDeps | undefined {
  const identity = env.SMS_ORIGINATION_IDENTITY;
  const configurationSet = env.SMS_CONFIGURATION_SET;
  if (identity === undefined || configurationSet === undefined) return undefined;
  return {
    sender: new SmsVoiceV2Sender({
      client: new PinpointSMSVoiceV2Client({
        maxAttempts: 1,
        ...(env.SMS_REGION === undefined ? {} : { region: env.SMS_REGION }),
      }),
      originationIdentity: identity,
      configurationSetName: configurationSet,
      ...(env.SMS_MAX_PRICE === undefined ? {} : { maxPrice: env.SMS_MAX_PRICE }),
    }),
    renderer: new SmsRenderer(templates),
    recipients: new DynamoPhoneIndex(phones),
  };
}
