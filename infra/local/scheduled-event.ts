import { randomUUID } from "node:crypto";
import type { Context, EventBridgeEvent } from "aws-lambda";
import { localAccountId, localRegion } from "./sdk-env.js";

/** The event EventBridge sends a target of a schedule rule. */
export type ScheduledEvent = EventBridgeEvent<"Scheduled Event", Record<string, never>>;

/** A Lambda handler for scheduled events (middy-wrapped or plain). */
export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

/**
 * A Lambda handler invoked by an EventBridge rule: with the Scheduled Event or the matched event, or with what
 * the target's `Input`, `InputPath` or `InputTransformer` makes of it, so any JSON. Declared as a method
 * signature so that a handler typed for the event it expects (a `ScheduledHandler`, a handler of
 * `{ campaignId }`) is accepted: the handler validates its event itself.
 */
export type EventTargetHandler = {
  handle(event: unknown, context: Context): Promise<unknown>;
}["handle"];

/**
 * The Scheduled Event of one tick of the rule `ruleArn`, as EventBridge shapes it: `time` is the tick's
 * scheduled time in whole seconds, `detail` is empty.
 */
export function scheduledEvent(ruleArn: string, at: number): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: localAccountId,
    time: `${new Date(Math.floor(at / 1000) * 1000).toISOString().slice(0, 19)}Z`,
    region: localRegion,
    resources: [ruleArn],
    detail: {},
  };
}
