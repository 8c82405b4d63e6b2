import { type CampaignLibrary, intentsForTransition } from "../domain/campaigns/index.js";
import type { Clock, SegmentChanges } from "../ports.js";
import { parseBody, type QueueMessage, transitionMessageSchema } from "./queue-message.js";
import { type SendScheduling, scheduleIntents } from "./schedule-intents.js";

/** What {@link startTransitionJourneys} needs. */
export interface TransitionJourneyDeps {
  readonly library: CampaignLibrary;
  readonly sends: SendScheduling;
  readonly clock: Clock;
  /**
   * Who entered and left each segment per day (the console), recorded before the journeys start: a failure to
   * record fails the message back (recording again is idempotent). @default - not recorded
   */
  readonly changes?: Pick<SegmentChanges, "record">;
}

/** What one batch of transitions did. */
export interface TransitionJourneySummary {
  messages: number;
  /** Journeys started (a transition may start several campaigns, or none). */
  journeys: number;
  /** Send intents handed on (one per step). */
  intents: number;
  enqueued: number;
  timed: number;
  /** Bodies that are not transitions: reported as failures, so they end in the queue's dead-letter queue. */
  malformed: number;
  /** Messages whose intents could not all be handed on, or whose change could not be recorded: redelivered. */
  failed: number;
}

/**
 * Starts the journeys of the campaigns triggered by entering or leaving a segment: each transition becomes the
 * intents of every matching campaign (keys from the transition's time, so a redelivered transition yields the
 * same keys and sends nothing twice), handed to the sends queue or to send timers. A message whose intents could
 * not all be handed on is failed back for redelivery.
 */
export async function startTransitionJourneys(
  deps: TransitionJourneyDeps,
  messages: readonly QueueMessage[],
): Promise<{ readonly failed: ReadonlySet<string>; readonly summary: TransitionJourneySummary }> {
  const now = deps.clock.now();
  const failed = new Set<string>();
  const summary: TransitionJourneySummary = {
    messages: messages.length,
    journeys: 0,
    intents: 0,
    enqueued: 0,
    timed: 0,
    malformed: 0,
    failed: 0,
  };
  await Promise.all(
    messages.map(async (message) => {
      const transition = parseBody(transitionMessageSchema, message.body);
      if (transition === undefined) {
        summary.malformed++;
        failed.add(message.messageId);
        return;
      }
      // Imported history changes memberships, but is not who entered or left on its day: not recorded.
      if (deps.changes !== undefined && transition.historical !== true) {
        try {
          await deps.changes.record(transition);
        } catch {
          summary.failed++;
          failed.add(message.messageId);
          return;
        }
      }
      const intents = intentsForTransition(deps.library, transition);
      if (intents.length === 0) return;
      summary.journeys += new Set(intents.map((intent) => intent.campaignId)).size;
      summary.intents += intents.length;
      const scheduled = await scheduleIntents(deps.sends, intents, now);
      summary.enqueued += scheduled.enqueued;
      summary.timed += scheduled.timed;
      if (scheduled.accepted.size < intents.length) {
        summary.failed++;
        failed.add(message.messageId);
      }
    }),
  );
  return { failed, summary };
}
