import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, EventBridgeEvent } from "aws-lambda";
import {
  type FeedbackTrackEvent,
  recordSesFeedback,
  type SesFeedbackDeps,
} from "../../shared/app/ses-feedback.js";
import type { SesEventDetail } from "../../shared/domain/email-feedback/ses-event-schema.js";
import { assertNever } from "../../shared/errors.js";
import { loadEnv } from "../../shared/lambda/env.js";
import {
  baseMiddlewareBundle,
  createObservability,
  type Observability,
} from "../../shared/lambda/middleware.js";
import { sesFeedbackEnvSchema } from "./env.js";
import { makeSesFeedbackDeps } from "./make-deps.js";

/** The event EventBridge hands the function: an SES event publishing record from the configuration set. */
export type SesFeedbackEvent = EventBridgeEvent<string, SesEventDetail>;

/** The count each kind of feedback event adds to: the dashboard's engagement graph and the rate alarms. */
const FEEDBACK_METRICS = {
  "Email Delivered": "EmailsDelivered",
  "Email Opened": "EmailsOpened",
  "Email Clicked": "EmailsClicked",
  "Email Bounced": "EmailsBounced",
  "Email Complained": "EmailsComplained",
} as const satisfies Record<FeedbackTrackEvent["event"], string>;

/**
 * The metrics one recorded feedback event counts in: its kind, and `EmailsHardBounced` for a permanent bounce
 * (SES's bounce rate counts hard bounces only).
 */
export function feedbackMetricNames(event: FeedbackTrackEvent): string[] {
  const names: string[] = [FEEDBACK_METRICS[event.event]];
  if (event.event === "Email Bounced" && event.properties.bounce_type === "Permanent") {
    names.push("EmailsHardBounced");
  }
  return names;
}

const env = loadEnv(sesFeedbackEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps = makeSesFeedbackDeps(env);

/**
 * Turns one SES event into a Tailor event on the stream, or (a `Send`) records SES's acceptance of the send in
 * the ledger. Events that cannot be attributed or are not tracked are logged and dropped (retrying cannot help);
 * a refused put or a failed record throws, so EventBridge delivers the event again.
 */
export async function runWith(
  deps: SesFeedbackDeps,
  { logger, metrics }: Observability,
  event: SesFeedbackEvent,
): Promise<void> {
  const outcome = await recordSesFeedback(deps, event);
  switch (outcome.kind) {
    case "event":
      metrics.addMetric("FeedbackEvents", MetricUnit.Count, 1);
      for (const name of feedbackMetricNames(outcome.event)) metrics.addMetric(name, MetricUnit.Count, 1);
      logger.debug("SES feedback recorded", {
        event: outcome.event.event,
        messageId: outcome.event.messageId,
      });
      return;
    case "accepted":
      metrics.addMetric("SendsAcceptedBySes", MetricUnit.Count, 1);
      logger.debug("SES Send recorded", {
        sendRef: outcome.acceptance.sendRef,
        messageId: outcome.acceptance.messageId,
      });
      return;
    case "skipped": {
      metrics.addMetric("FeedbackSkipped", MetricUnit.Count, 1);
      // Not `message`: Powertools' Logger drops an attribute of that name (its own key for the log line).
      const details = { reason: outcome.reason, explanation: outcome.message, eventId: event.id };
      if (outcome.reason === "ignored") logger.debug("SES event ignored", details);
      else logger.warn("SES event dropped", details);
      return;
    }
    default:
      assertNever(outcome);
  }
}

/** The Lambda entry point's core, with this container's dependencies. */
export function run(event: SesFeedbackEvent, _context: Context): Promise<void> {
  return runWith(deps, observability, event);
}

export const handler = baseMiddlewareBundle<SesFeedbackEvent, void>(observability).handler(run);
