import type { Context, EventBridgeEvent } from "aws-lambda";
import { recordSesFeedback, type SesFeedbackDeps } from "#shared/app/ses-feedback.js";
import type { SesEventDetail } from "#shared/domain/email-feedback/ses-event-schema.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, type Observability, observabilityFor } from "#shared/lambda/middleware.js";
import { reportFeedback } from "#shared/lambda/reports/ses-feedback-report.js";
import { sesFeedbackEnvSchema } from "./env.js";
import { makeSesFeedbackDeps } from "./make-deps.js";

/** The event EventBridge hands the function: an SES event publishing record from the configuration set. */
export type SesFeedbackEvent = EventBridgeEvent<string, SesEventDetail>;

const env = loadEnv(sesFeedbackEnvSchema);
const observability = observabilityFor(env);
const deps = makeSesFeedbackDeps(env);

/**
 * Turns one SES event into a Tailor event on the stream, or (a `Send`) records SES's acceptance of the send in
 * the ledger. Events that cannot be attributed or are not tracked are logged and dropped (retrying cannot help);
 * a refused put or a failed record throws, so EventBridge delivers the event again.
 */
export async function runWith(deps: SesFeedbackDeps, observability: Observability, event: SesFeedbackEvent) {
  reportFeedback(observability, await recordSesFeedback(deps, event), event.id);
}

/** The Lambda entry point's core, with this container's dependencies. */
export function run(event: SesFeedbackEvent, _context: Context): Promise<void> {
  return runWith(deps, observability, event);
}

export const handler = baseMiddlewareBundle<SesFeedbackEvent, void>(observability).handler(run);
