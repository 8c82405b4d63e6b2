import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { FeedbackTrackEvent, SesFeedbackOutcome } from "#shared/app/ses-feedback.js";
import { assertNever } from "#shared/errors.js";
import type { Observability } from "../middleware.js";

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

/** The metrics and the log line of one SES event: recorded, accepted (a `Send`), or skipped with the reason. */
export function reportFeedback(
  { logger, metrics }: Observability,
  outcome: SesFeedbackOutcome,
  eventId: string,
): void {
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);
  switch (outcome.kind) {
    case "event":
      count("FeedbackEvents");
      for (const name of feedbackMetricNames(outcome.event)) count(name);
      logger.debug("SES feedback recorded", {
        event: outcome.event.event,
        messageId: outcome.event.messageId,
      });
      return;
    case "accepted": {
      count("SendsAcceptedBySes");
      const { sendRef, messageId } = outcome.acceptance;
      logger.debug("SES Send recorded", { sendRef, messageId });
      return;
    }
    case "skipped": {
      count("FeedbackSkipped");
      // Not `message`: Powertools' Logger drops an attribute of that name (its own key for the log line).
      const details = { reason: outcome.reason, explanation: outcome.message, eventId };
      if (outcome.reason === "ignored") logger.debug("SES event ignored", details);
      else logger.warn("SES event dropped", details);
      return;
    }
    default:
      assertNever(outcome);
  }
}
