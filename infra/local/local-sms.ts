import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";
import type { LambdaHandler } from "./handler-loader.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { localAccountId, localRegion } from "./sdk-env.js";
import { type SmsServer, type SmsServerEvent, startSmsServer } from "./sms-server.js";

/** The SNS topics End User Messaging SMS publishes to on AWS, by the kind of what it publishes. */
const TOPICS = {
  delivery: `arn:aws:sns:${localRegion}:${localAccountId}:tailor-sms-events`,
  inbound: `arn:aws:sns:${localRegion}:${localAccountId}:tailor-sms-replies`,
} as const;

/** Lambda's retries of an asynchronous invocation (SNS invokes asynchronously) before it gives up. */
const ASYNC_RETRIES = 2;

/**
 * The SNS event Lambda hands a function subscribed to a topic: one record holding the published JSON, as
 * End User Messaging SMS publishes a configuration set event or a two-way reply.
 */
export function snsEventOf(event: SmsServerEvent, at: number): SNSEvent {
  const topicArn = TOPICS[event.kind];
  const messageId = randomUUID();
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${topicArn}:${messageId}`,
        Sns: {
          Type: "Notification",
          MessageId: messageId,
          TopicArn: topicArn,
          Subject: "",
          Message: JSON.stringify(event.kind === "delivery" ? event.record : event.message),
          Timestamp: new Date(at).toISOString(),
          SignatureVersion: "1",
          Signature: "",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The SMS emulator of the local stack, and what it feeds. */
export interface LocalSms {
  readonly server: SmsServer;
  /** What points the functions' SDK at it. */
  readonly env: Readonly<Record<string, string>>;
  /** Resolves once every event published so far has been handled (or given up on). */
  waitUntilIdle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the SMS emulator on `port` and feeds what it emits to the SMS feedback function the way AWS does: each
 * delivery event and each two-way reply as an SNS notification, invoked asynchronously (retried twice, then
 * logged as dead-lettered). Without a feedback function nothing is fed.
 */
export async function startLocalSms(options: {
  readonly port: number;
  readonly host?: string;
  /** The feedback function, looked up at the first event (its module loads after the emulator's env is set). */
  readonly feedback: () => Promise<
    { readonly function: FunctionIdentity; readonly handler: LambdaHandler } | undefined
  >;
  readonly log: (line: string) => void;
  readonly now: () => number;
}): Promise<LocalSms> {
  const inFlight = new Set<Promise<void>>();
  const deliver = async (event: SmsServerEvent) => {
    const feedback = await options.feedback();
    if (feedback === undefined) return;
    const sns = snsEventOf(event, options.now());
    for (let attempt = 0; ; attempt++) {
      try {
        await invokeWithTimeout(feedback.function, feedback.handler, sns);
        return;
      } catch (error) {
        if (attempt >= ASYNC_RETRIES) {
          options.log(
            `SMS ${event.kind} notification dead-lettered after ${attempt + 1} attempts: ${String(error)}`,
          );
          return;
        }
      }
    }
  };
  const server = await startSmsServer({
    port: options.port,
    host: options.host ?? "127.0.0.1",
    now: options.now,
    onEvent: (event) => {
      const work: Promise<void> = deliver(event).finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
  });
  return {
    server,
    env: { AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: server.url },
    waitUntilIdle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    stop: async () => {
      await Promise.allSettled([...inFlight]);
      await server.stop();
    },
  };
}
