import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { keywordOf, smsSegments, toE164 } from "#shared/domain/sms/index.js";
import { escapeHtml } from "#shared/render/report/index.js";

const TARGET_PREFIX = "PinpointSMSVoiceV2.";
const MAX_BODY_CHARS = 256 * 1024;
/** End User Messaging's own limit on `MessageBody` (characters). */
const MESSAGE_BODY_MAX = 1600;
const CONTENT_TYPE = "application/x-amz-json-1.0";

/** A text the emulator accepted through `SendTextMessage`. */
export interface SentText {
  readonly messageId: string;
  readonly at: number;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly messageType: string;
  readonly configurationSetName?: string;
  readonly context: Readonly<Record<string, string>>;
  readonly encoding: string;
  readonly segments: number;
}

/** A reply a recipient sent (two-way SMS), as injected with `POST /inbound`. */
export interface InboundText {
  readonly inboundMessageId: string;
  readonly at: number;
  /** The recipient's number (who replied). */
  readonly from: string;
  /** Our number it was sent to. */
  readonly to: string;
  readonly body: string;
}

/**
 * An event record of a configuration set's event destination (the `TEXT_*` event format of End User
 * Messaging SMS), and the two-way SMS message an inbound reply is published as on its SNS topic.
 */
export type SmsServerEvent =
  | { readonly kind: "delivery"; readonly record: Readonly<Record<string, unknown>> }
  | { readonly kind: "inbound"; readonly message: Readonly<Record<string, string>> };

/** Options of {@link startSmsServer}. */
export interface SmsServerOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called for each delivery event (after the send's answer) and each injected inbound reply. */
  readonly onEvent?: (event: SmsServerEvent) => void;
}

/** A running SMS emulator. */
export interface SmsServer {
  /** `http://host:port`: the endpoint of a `PinpointSMSVoiceV2Client` (`AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`). */
  readonly url: string;
  /** The texts sent, oldest first. */
  sent(): readonly SentText[];
  /** The replies injected, oldest first. */
  inbound(): readonly InboundText[];
  /** The numbers on the opt-out list (replied STOP and not START since). */
  optedOut(): readonly string[];
  /** The final event texts to `number` get from now on (`TEXT_DELIVERED` unless set). */
  setOutcome(number: string, eventType: string): void;
  /** Injects a reply from `from` (a STOP puts the number on the opt-out list), as `POST /inbound` does. */
  reply(from: string, body: string): InboundText;
  stop(): Promise<void>;
}

/** An error in the awsJson1_0 shape: the SDK picks the exception class from `__type`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const FAILED_STATUS: Readonly<Record<string, string>> = {
  TEXT_DELIVERED: "DELIVERED",
  TEXT_CARRIER_UNREACHABLE: "CARRIER_UNREACHABLE",
  TEXT_INVALID: "INVALID",
  TEXT_BLOCKED: "BLOCKED",
  TEXT_UNREACHABLE: "UNREACHABLE",
  TEXT_CARRIER_BLOCKED: "CARRIER_BLOCKED",
  TEXT_SPAM: "SPAM",
  TEXT_TTL_EXPIRED: "TTL_EXPIRED",
  TEXT_UNKNOWN: "UNKNOWN",
};

/**
 * A small emulator of AWS End User Messaging SMS (`pinpoint-sms-voice-v2`) for the local stack and tests: it
 * speaks the awsJson1_0 protocol (`X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage`), checks what the real
 * service checks that matters here (E.164 destination, origination identity, body, message type, the opt-out
 * list), answers a `MessageId`, and emits the event records a configuration set's destination would
 * (`TEXT_SUCCESSFUL`, then `TEXT_DELIVERED` or the outcome set for the number) with the message's `context`.
 * `GET /` shows the texts sent and the replies as a page; `GET /messages` as JSON; `POST /inbound`
 * (`{"from": "+33…", "body": "STOP"}`) injects a reply, STOP and its synonyms putting the number on the opt-out
 * list (START and UNSTOP taking it off), like the real service's self-managed keywords.
 */
export async function startSmsServer(options: SmsServerOptions = {}): Promise<SmsServer> {
  const now = options.now ?? Date.now;
  const host = options.host ?? "127.0.0.1";
  const sent: SentText[] = [];
  const inbound: InboundText[] = [];
  const optedOut = new Set<string>();
  const outcomes = new Map<string, string>();
  let ourNumber = "+10000000000";
  const emit = (event: SmsServerEvent) => options.onEvent?.(event);

  const sendText = (input: Record<string, unknown>): { MessageId: string } => {
    const to = typeof input.DestinationPhoneNumber === "string" ? input.DestinationPhoneNumber : "";
    if (toE164(to) !== to) {
      throw new ApiError(400, "ValidationException", "DestinationPhoneNumber must be in E.164 format", {
        Reason: "INVALID_PARAMETER",
      });
    }
    const from = typeof input.OriginationIdentity === "string" ? input.OriginationIdentity : "";
    if (from === "") {
      throw new ApiError(404, "ResourceNotFoundException", "OriginationIdentity is required", {
        ResourceType: "phone-number",
      });
    }
    const body = typeof input.MessageBody === "string" ? input.MessageBody : "";
    if (body === "" || body.length > MESSAGE_BODY_MAX) {
      throw new ApiError(
        400,
        "ValidationException",
        `MessageBody must be 1 to ${MESSAGE_BODY_MAX} characters`,
      );
    }
    const messageType = input.MessageType ?? "TRANSACTIONAL";
    if (messageType !== "TRANSACTIONAL" && messageType !== "PROMOTIONAL") {
      throw new ApiError(400, "ValidationException", "MessageType must be TRANSACTIONAL or PROMOTIONAL");
    }
    if (optedOut.has(to)) {
      throw new ApiError(400, "ConflictException", `${to} is opted out`, {
        Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT",
        ResourceType: "opted-out-number",
        ResourceId: to,
      });
    }
    const context: Record<string, string> = {};
    if (typeof input.Context === "object" && input.Context !== null) {
      for (const [key, value] of Object.entries(input.Context)) {
        if (typeof value === "string") context[key] = value;
      }
    }
    if (from.startsWith("+")) ourNumber = from;
    const { encoding, segments } = smsSegments(body);
    const text: SentText = {
      messageId: randomUUID(),
      at: now(),
      to,
      from,
      body,
      messageType,
      ...(typeof input.ConfigurationSetName === "string"
        ? { configurationSetName: input.ConfigurationSetName }
        : {}),
      context,
      encoding,
      segments,
    };
    sent.push(text);
    // After the answer, as the real events come later.
    setImmediate(() => {
      emit({ kind: "delivery", record: eventRecord(text, "TEXT_SUCCESSFUL", now()) });
      emit({ kind: "delivery", record: eventRecord(text, outcomes.get(to) ?? "TEXT_DELIVERED", now()) });
    });
    return { MessageId: text.messageId };
  };

  const reply = (from: string, body: string): InboundText => {
    const number = toE164(from);
    if (number === undefined) throw new ApiError(400, "ValidationException", "from must be in E.164 format");
    const text: InboundText = {
      inboundMessageId: randomUUID(),
      at: now(),
      from: number,
      to: ourNumber,
      body,
    };
    inbound.push(text);
    const { action, keyword } = keywordOf(body);
    if (action === "opt-out") optedOut.add(number);
    if (action === "opt-in") optedOut.delete(number);
    emit({
      kind: "inbound",
      message: {
        originationNumber: number,
        destinationNumber: ourNumber,
        messageKeyword: action === "none" ? "" : keyword,
        messageBody: body,
        inboundMessageId: text.inboundMessageId,
        previousPublishedMessageId: sent.findLast((s) => s.to === number)?.messageId ?? "",
      },
    });
    return text;
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof ApiError) {
        send(response, error.status, CONTENT_TYPE, {
          __type: error.type,
          message: error.message,
          ...error.extra,
        });
      } else if (!response.headersSent) {
        send(response, 500, CONTENT_TYPE, { __type: "InternalServerException", message: String(error) });
      } else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://sms");
    const method = request.method ?? "GET";
    if (method === "GET" && url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(page(sent, inbound, optedOut));
      return;
    }
    if (method === "GET" && url.pathname === "/messages") {
      return send(response, 200, "application/json", { sent, inbound, optedOut: [...optedOut] });
    }
    if (method !== "POST") throw new ApiError(405, "ValidationException", `${method} ${url.pathname}`);
    const input = parseObject(await readBody(request));
    if (url.pathname === "/inbound") {
      const from = typeof input.from === "string" ? input.from : "";
      const body = typeof input.body === "string" ? input.body : "";
      return send(response, 202, "application/json", reply(from, body));
    }
    const target = request.headers["x-amz-target"];
    if (target === `${TARGET_PREFIX}SendTextMessage`) {
      return send(response, 200, CONTENT_TYPE, sendText(input));
    }
    throw new ApiError(400, "UnknownOperationException", `unsupported operation ${String(target)}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  return {
    url: `http://${host}:${port}`,
    sent: () => [...sent],
    inbound: () => [...inbound],
    optedOut: () => [...optedOut],
    setOutcome: (number, eventType) => void outcomes.set(number, eventType),
    reply,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/** One event record as a configuration set's event destination carries it. */
function eventRecord(text: SentText, eventType: string, at: number): Record<string, unknown> {
  const status = eventType === "TEXT_SUCCESSFUL" ? "SUCCESSFUL" : (FAILED_STATUS[eventType] ?? "UNKNOWN");
  return {
    eventType,
    eventVersion: "1.0",
    eventTimestamp: at,
    isFinal: eventType !== "TEXT_SUCCESSFUL",
    originationPhoneNumber: text.from,
    destinationPhoneNumber: text.to,
    isInternationalSend: false,
    messageId: text.messageId,
    messageRequestTimestamp: text.at,
    messageEncoding: text.encoding === "GSM-7" ? "GSM" : "UCS2",
    messageType: text.messageType,
    messageStatus: status,
    messageStatusDescription: `emulated ${status.toLowerCase()}`,
    context: text.context,
    totalMessageParts: text.segments,
  };
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new ApiError(400, "SerializationException", "the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "SerializationException", "the body is not a JSON object");
  }
  return Object.fromEntries(Object.entries(value));
}

async function readBody(request: IncomingMessage): Promise<string> {
  request.setEncoding("utf8");
  let text = "";
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_BODY_CHARS)
      throw new ApiError(413, "ValidationException", "request body too large");
  }
  return text;
}

function send(response: ServerResponse, status: number, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function page(
  sent: readonly SentText[],
  inbound: readonly InboundText[],
  optedOut: ReadonlySet<string>,
): string {
  const e = escapeHtml;
  const rows = [...sent]
    .reverse()
    .map(
      (t) =>
        `<tr><td>${e(new Date(t.at).toISOString())}</td><td>${e(t.to)}</td><td>${e(t.messageType)}</td>` +
        `<td>${e(t.encoding)} · ${t.segments}</td><td>${e(t.context.tailor_campaign ?? "")}</td>` +
        `<td class="body">${e(t.body)}</td></tr>`,
    )
    .join("");
  const replies = [...inbound]
    .reverse()
    .map(
      (t) => `<tr><td>${e(new Date(t.at).toISOString())}</td><td>${e(t.from)}</td><td>${e(t.body)}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tailor: texts sent (local)</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}.body{white-space:pre-wrap;max-width:40rem}</style></head>
<body><h1>Texts sent (${sent.length})</h1>
<table><thead><tr><th>at</th><th>to</th><th>type</th><th>encoding · parts</th><th>campaign</th><th>body</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Replies (${inbound.length})</h2>
<table><thead><tr><th>at</th><th>from</th><th>body</th></tr></thead><tbody>${replies}</tbody></table>
<h2>Opted out (${optedOut.size})</h2><p>${[...optedOut].map(e).join(", ") || "none"}</p>
</body></html>`;
}
