import { type SESv2Client, SESv2ServiceException, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { encodeSesTag, SEND_TAG, sendRefOf } from "../domain/email-feedback/ses-tags.js";
import {
  type MailerError,
  MailerRejectedError,
  MailerThrottledError,
  MailerUnavailableError,
} from "../mailer-errors.js";
import type { Mailer, MailReceipt, OutgoingEmail } from "../ports.js";

const THROTTLED = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException"]);
const REJECTED = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "AccountSuspendedException",
  "SendingPausedException",
  "BadRequestException",
  "NotFoundException",
]);
/** Our own setup is wrong (credentials, permissions): retryable, so the queue keeps the sends until it is fixed. */
const SETUP = new Set([
  "AccessDeniedException",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
]);
/** Network failures where the connection never opened: the request cannot have reached the provider. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

const codeOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

/**
 * Invisible format characters (Unicode `Cf`): the bidi embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), the marks U+200E, U+200F and U+061C, zero-width spaces, word joiners, the BOM, soft hyphens,
 * interlinear annotations. They let data reorder or hide what a subject shows (`U+202E` turns `gpj.exe` around).
 * Kept: ZWNJ and ZWJ (U+200C, U+200D), which scripts and emoji sequences need, and the tag characters
 * (U+E0020–U+E007F) of subdivision flags.
 */
const FORMAT_CONTROLS = /(?!\u200C|\u200D|[\u{E0020}-\u{E007F}])\p{Cf}/gu;
/** Line and paragraph separators (U+2028, U+2029): a header shows them as breaks. */
const SEPARATORS = /[\u2028\u2029]/g;

/**
 * A header value as the mailer sends it: without invisible format characters, line and paragraph separators
 * turned into spaces. CR, LF and other C0 controls never reach here: rendering refuses them (header injection).
 */
export function headerText(value: string): string {
  return value.replace(FORMAT_CONTROLS, "").replace(SEPARATORS, " ");
}

/** The message tags of an email: `customer`, `campaign`, `variant` (reversible) and {@link SEND_TAG}. */
export function emailTags(email: OutgoingEmail): { Name: string; Value: string }[] {
  return [
    { Name: "customer", Value: encodeSesTag(email.customerId) },
    { Name: "campaign", Value: encodeSesTag(email.campaignId) },
    { Name: "variant", Value: encodeSesTag(email.variant) },
    // SES's `Send` event brings it back: the ledger learns the email was accepted even if the sender died.
    { Name: SEND_TAG, Value: sendRefOf(email.sendKey) },
  ];
}

/**
 * Sorts an error of `SendEmail` into retryable (throttled, unavailable) and permanent (rejected). Known names
 * first; then the status: 429 throttled, 5xx and 401/403 unavailable, any other 4xx rejected (an emulator's
 * `Unknown` 400 included); an error without a response is the network.
 */
export function classifySesError(error: unknown): MailerError {
  if (error instanceof SESv2ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const what = `SES SendEmail failed: ${error.name}${status === undefined ? "" : ` (${status})`}: ${error.message}`;
    if (THROTTLED.has(error.name) || status === 429 || error.$retryable?.throttling === true) {
      return new MailerThrottledError(what, error);
    }
    if (REJECTED.has(error.name)) return new MailerRejectedError(what, error);
    if (SETUP.has(error.name) || status === 401 || status === 403) {
      return new MailerUnavailableError(what, { cause: error, maybeSent: false });
    }
    if (status !== undefined && status >= 400 && status < 500) return new MailerRejectedError(what, error);
    return new MailerUnavailableError(what, { cause: error, maybeSent: false });
  }
  const code = codeOf(error);
  const reason =
    error instanceof Error ? `${error.name}${code === undefined ? "" : ` ${code}`}` : String(error);
  return new MailerUnavailableError(`SES SendEmail failed: ${reason}`, {
    cause: error,
    maybeSent: code === undefined || !NEVER_CONNECTED.has(code),
  });
}

/**
 * The {@link Mailer} on SES v2 `SendEmail`: simple content (subject, HTML, text, the email's headers such as
 * `List-Unsubscribe`, their values and the subject cleaned by {@link headerText}), the configuration set whose
 * event destination turns sends, deliveries, bounces and complaints into feedback, and the tags of
 * {@link emailTags}: `customer`, `campaign` and `variant` (encoded with `encodeSesTag`, reversible) and `send`,
 * the send key's reference (`sendRefOf`), by which SES's `Send` event is recorded in the ledger.
 *
 * Retries belong to the caller (`sendWithBackoff`, the queue): build the client with `maxAttempts: 1` so the
 * SDK's own retries do not multiply them.
 */
export class SesV2Mailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;
  readonly #configurationSetName: string | undefined;

  constructor(options: {
    client: SESv2Client;
    /** The verified sender, e.g. `"Shop <news@shop.example>"`. */
    fromAddress: string;
    /** @default none (the identity's default configuration set applies) */
    configurationSetName?: string;
  }) {
    this.#client = options.client;
    this.#from = options.fromAddress;
    this.#configurationSetName = options.configurationSetName;
  }

  async send(email: OutgoingEmail): Promise<MailReceipt> {
    const { subject, html, text, headers } = email.content;
    let messageId: string | undefined;
    try {
      const out = await this.#client.send(
        new SendEmailCommand({
          FromEmailAddress: this.#from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: headerText(subject), Charset: "UTF-8" },
              Body: { Html: { Data: html, Charset: "UTF-8" }, Text: { Data: text, Charset: "UTF-8" } },
              Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value: headerText(Value) })),
            },
          },
          ConfigurationSetName: this.#configurationSetName,
          EmailTags: emailTags(email),
        }),
      );
      messageId = out.MessageId;
    } catch (error) {
      throw classifySesError(error);
    }
    if (messageId === undefined || messageId === "") {
      // Accepted (2xx) without an id: it may have gone out, so it must not be sent again blindly.
      throw new MailerUnavailableError("SES SendEmail answered without a MessageId", { maybeSent: true });
    }
    return { messageId };
  }
}
