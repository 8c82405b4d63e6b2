import {
  type PinpointSMSVoiceV2Client,
  PinpointSMSVoiceV2ServiceException,
  SendTextMessageCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { SMS_CONTEXT } from "../domain/sms/sms-event-schema.js";
import type { OutgoingSms, SmsReceipt, SmsSender } from "../ports.js";
import { type SmsError, SmsRejectedError, SmsThrottledError, SmsUnavailableError } from "../sms-errors.js";

/** The context keys a text carries back in its events (re-exported for callers of the sender). */
export { SMS_CONTEXT };

const THROTTLED = new Set(["ThrottlingException", "ServiceQuotaExceededException"]);
/** Our own setup is wrong (credentials, permissions): retryable, so the queue keeps the sends until it is fixed. */
const SETUP = new Set([
  "AccessDeniedException",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
]);
/** The reasons End User Messaging SMS gives when the destination is on the account's opt-out list. */
const OPTED_OUT = new Set(["DESTINATION_PHONE_NUMBER_OPTED_OUT", "CANNOT_ADD_OPTED_OUT_NUMBER"]);
/** Network failures where the connection never opened: the request cannot have reached the provider. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

const stringField = (error: unknown, field: string): string | undefined => {
  if (typeof error !== "object" || error === null || !(field in error)) return undefined;
  const value: unknown = Reflect.get(error, field);
  return typeof value === "string" ? value : undefined;
};

/**
 * Sorts an error of `SendTextMessage` into retryable (throttled, unavailable) and permanent (rejected; opted out
 * when the number is on the opt-out list). Known names first, then the status: 429 throttled, 5xx and 401/403
 * unavailable, any other 4xx rejected; an error without a response is the network.
 */
export function classifySmsError(error: unknown): SmsError {
  if (error instanceof PinpointSMSVoiceV2ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const reason = stringField(error, "Reason");
    const what = `SendTextMessage failed: ${error.name}${reason === undefined ? "" : ` ${reason}`}${status === undefined ? "" : ` (${status})`}: ${error.message}`;
    if (THROTTLED.has(error.name) || status === 429) return new SmsThrottledError(what, error);
    if (reason !== undefined && OPTED_OUT.has(reason)) {
      return new SmsRejectedError(what, { cause: error, optedOut: true });
    }
    if (SETUP.has(error.name) || status === 401 || status === 403) {
      return new SmsUnavailableError(what, { cause: error, maybeSent: false });
    }
    if (status !== undefined && status >= 400 && status < 500)
      return new SmsRejectedError(what, { cause: error });
    return new SmsUnavailableError(what, { cause: error, maybeSent: false });
  }
  const code = stringField(error, "code");
  const name =
    error instanceof Error ? `${error.name}${code === undefined ? "" : ` ${code}`}` : String(error);
  return new SmsUnavailableError(`SendTextMessage failed: ${name}`, {
    cause: error,
    maybeSent: code === undefined || !NEVER_CONNECTED.has(code),
  });
}

/** Options of {@link SmsVoiceV2Sender}. */
export interface SmsVoiceV2SenderOptions {
  readonly client: PinpointSMSVoiceV2Client;
  /** The phone number, sender id, pool (id or ARN) texts are sent from. */
  readonly originationIdentity: string;
  /** The configuration set whose event destination feeds delivery events back. */
  readonly configurationSetName: string;
  /** Most a part may cost, in US dollars (`"0.10"`): a text above it is refused, not sent. @default no limit */
  readonly maxPrice?: string;
  /** Seconds the provider keeps trying to deliver before giving up. @default the provider's (72 h) */
  readonly timeToLiveSeconds?: number;
}

/**
 * The {@link SmsSender} on AWS End User Messaging SMS (`pinpoint-sms-voice-v2` `SendTextMessage`): from the
 * origination identity (a number or a pool), with the configuration set whose event destination turns
 * deliveries, failures and opt-outs into feedback, the message type by purpose, and the context keys of
 * {@link SMS_CONTEXT} (customer, campaign, variant, send key) that come back in every event of the text.
 *
 * Retries belong to the caller: build the client with `maxAttempts: 1` so the SDK's own retries do not
 * multiply them.
 */
export class SmsVoiceV2Sender implements SmsSender {
  readonly #options: SmsVoiceV2SenderOptions;

  constructor(options: SmsVoiceV2SenderOptions) {
    this.#options = options;
  }

  async send(sms: OutgoingSms): Promise<SmsReceipt> {
    const { client, originationIdentity, configurationSetName, maxPrice, timeToLiveSeconds } = this.#options;
    let messageId: string | undefined;
    try {
      const out = await client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: sms.to,
          OriginationIdentity: originationIdentity,
          MessageBody: sms.body,
          MessageType: sms.messageType,
          ConfigurationSetName: configurationSetName,
          ...(maxPrice === undefined ? {} : { MaxPrice: maxPrice }),
          ...(timeToLiveSeconds === undefined ? {} : { TimeToLive: timeToLiveSeconds }),
          Context: {
            [SMS_CONTEXT.customer]: sms.customerId,
            [SMS_CONTEXT.campaign]: sms.campaignId,
            [SMS_CONTEXT.variant]: sms.variant,
            [SMS_CONTEXT.send]: sms.sendKey,
          },
        }),
      );
      messageId = out.MessageId;
    } catch (error) {
      throw classifySmsError(error);
    }
    if (messageId === undefined || messageId === "") {
      throw new SmsUnavailableError("SendTextMessage answered without a MessageId", { maybeSent: true });
    }
    return { messageId };
  }
}
