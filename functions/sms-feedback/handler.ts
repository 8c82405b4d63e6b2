import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SNSEvent } from "aws-lambda";
import { recordSmsNotification, type SmsNotificationDeps } from "#shared/app/sms-notification.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, type Observability, observabilityFor } from "#shared/lambda/middleware.js";
import { smsFeedbackEnvSchema } from "./env.js";
import { makeSmsFeedbackDeps } from "./make-deps.js";

const env = loadEnv(smsFeedbackEnvSchema);
const observability = observabilityFor(env);
const deps = makeSmsFeedbackDeps(env);

/**
 * Turns each SNS notification (a configuration set event or a two-way reply) into a Tailor event on the stream.
 * What cannot be attributed, is not final or is malformed is logged with the reason (retrying cannot help); a
 * refused put throws, so Lambda retries the invocation and then dead-letters it.
 */
export async function runWith(
  deps: SmsNotificationDeps,
  { logger, metrics }: Observability,
  event: SNSEvent,
) {
  for (const record of event.Records) {
    const mapping = await recordSmsNotification(deps, record.Sns);
    if (mapping.ok) {
      metrics.addMetric("SmsFeedbackEvents", MetricUnit.Count, 1);
      logger.debug("SMS feedback recorded", {
        event: mapping.event.event,
        messageId: mapping.event.messageId,
      });
    } else if (mapping.reason === "ignored") {
      logger.debug("SMS feedback ignored", { reason: mapping.message, snsMessageId: record.Sns.MessageId });
    } else {
      metrics.addMetric(
        mapping.reason === "invalid" ? "SmsFeedbackInvalid" : "SmsFeedbackUnattributed",
        MetricUnit.Count,
        1,
      );
      logger.warn(`SMS feedback ${mapping.reason}`, {
        reason: mapping.message,
        snsMessageId: record.Sns.MessageId,
      });
    }
  }
}

/** The Lambda entry point's core, with this container's dependencies. */
export function run(event: SNSEvent, _context: Context): Promise<void> {
  return runWith(deps, observability, event);
}

export const handler = baseMiddlewareBundle<SNSEvent, void>(observability).handler(run);
