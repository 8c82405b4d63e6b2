import type { CostLine } from "./cost-model.js";
import { PRICES, type Price } from "./cost-prices.js";

/** How many texts a deployment with SMS on (`-c sms=on`) sends in a month. */
export interface SmsVolumes {
  /** Texts sent per month (each may take more than one part). */
  readonly texts: number;
}

/** What SMS adds to the stack (`infra/components/sms-channel.ts`; test/infra/sms-stack.test.ts checks it). */
export const SMS_RESOURCES = {
  /** The topics' key and the feedback dead-letter queue's key. */
  kmsKeys: 2,
  /** The feedback function's errors and its dead-letter queue. */
  alarms: 2,
} as const;

/** SMS's assumptions, printed with the estimate. */
export const SMS_ASSUMED = {
  /** Parts per text (templates allow 2 by default; most fit one). */
  partsPerText: 1.2,
  /** Events a text sends back (TEXT_SUCCESSFUL, TEXT_DELIVERED), each one SNS publish and one invocation. */
  eventsPerText: 2,
  /** Feedback invocation time (one Kinesis put), at 1 GB. */
  feedbackMs: 40,
} as const;

/**
 * Public prices (us-east-1) of what only SMS uses. A text's price depends on the destination country and the
 * origination identity: the figures are the United States' (10DLC) outbound part and carrier fee, to be replaced by
 * the destination's from the pricing page.
 */
export const SMS_PRICES = {
  outboundPart: {
    usd: 0.00581,
    per: 1,
    unit: "outbound SMS part (United States)",
    source: "https://aws.amazon.com/end-user-messaging/pricing/",
  },
  carrierFee: {
    usd: 0.003,
    per: 1,
    unit: "carrier fee per part (US 10DLC, varies by carrier)",
    source: "https://aws.amazon.com/end-user-messaging/pricing/",
  },
  snsPublishes: { usd: 0.5, per: 1e6, unit: "SNS publish", source: "https://aws.amazon.com/sns/pricing/" },
} as const satisfies Readonly<Record<string, Price>>;

function smsLine(item: string, quantity: number, price: Price): CostLine {
  return { service: "SMS", item, quantity, price, usd: (quantity / price.per) * price.usd };
}

/**
 * The monthly lines of SMS: the parts and their carrier fees, the events End User Messaging publishes back (SNS
 * publishes, the feedback function's invocations and time, their puts on the stream), the two keys and two alarms.
 */
export function smsCostLines(volumes: SmsVolumes): CostLine[] {
  const a = SMS_ASSUMED;
  const parts = volumes.texts * a.partsPerText;
  const events = volumes.texts * a.eventsPerText;
  return [
    smsLine("texts sent (parts)", parts, SMS_PRICES.outboundPart),
    smsLine("carrier fees (parts)", parts, SMS_PRICES.carrierFee),
    smsLine("delivery events published to SNS", events, SMS_PRICES.snsPublishes),
    smsLine("feedback Lambda invocations", events, PRICES.lambdaRequests),
    smsLine("feedback Lambda time (arm64, 1 GB)", events * (a.feedbackMs / 1000), PRICES.lambdaArmCompute),
    smsLine("feedback events put on the stream", volumes.texts, PRICES.kinesisPutUnits),
    smsLine("the topics' and dead-letter queue's KMS keys", SMS_RESOURCES.kmsKeys, PRICES.kmsKeys),
    smsLine("feedback alarms", SMS_RESOURCES.alarms, PRICES.cloudWatchAlarms),
  ];
}
