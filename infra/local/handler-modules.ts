import type { ApiHandler } from "./api-event.js";
import type { KinesisHandler } from "./kinesis-event.js";
import type { EventTargetHandler } from "./scheduled-event.js";
import type { SqsHandler } from "./sqs-event.js";
import type { StepFunctionTaskHandler } from "./state-machine-tasks.js";

/** A function's handler, by the kind of event the local stack drives it with. */
export interface FunctionHandlers {
  /** Invoked by a Kinesis event source mapping. */
  readonly kinesis?: KinesisHandler;
  /** Invoked by an SQS event source mapping. */
  readonly sqs?: SqsHandler;
  /** Invoked by an EventBridge schedule (with the Scheduled Event, or the target's input). */
  readonly scheduled?: EventTargetHandler;
  /** Invoked by an EventBridge event-pattern rule (with the matched event, or the target's input). */
  readonly events?: EventTargetHandler;
  /** Invoked by HTTP API routes. */
  readonly api?: ApiHandler;
  /** Invoked by Step Functions task states, by handler export name (see `infra/local/state-machine-tasks.ts`). */
  readonly stepFunctionTasks?: Readonly<Record<string, StepFunctionTaskHandler>>;
}

async function rescoreTasks(): Promise<FunctionHandlers> {
  const { plan, cluster, slice, finish } = await import("../../functions/rescore/handler.js");
  return { stepFunctionTasks: { plan, cluster, slice, finish } };
}

/**
 * Which module holds each function's handler, by the function's local name. Loaded lazily, after the
 * function's environment is in `process.env` (handlers validate it when their module loads).
 */
export const handlerModules: Readonly<Record<string, () => Promise<FunctionHandlers>>> = {
  "tailor-ingest": async () => ({ kinesis: (await import("../../functions/ingest/handler.js")).handler }),
  "tailor-segment-timers": async () => ({
    scheduled: (await import("../../functions/segment-timers/handler.js")).handler,
  }),
  "tailor-dispatch": async () => ({ sqs: (await import("../../functions/dispatch/handler.js")).handler }),
  "tailor-campaign-transitions": async () => ({
    sqs: (await import("../../functions/campaign-transitions/handler.js")).handler,
  }),
  "tailor-campaign-schedule": async () => ({
    scheduled: (await import("../../functions/campaign-schedule/handler.js")).handler,
  }),
  "tailor-ses-feedback": async () => ({
    events: (await import("../../functions/ses-feedback/handler.js")).handler,
  }),
  "tailor-api": async () => ({ api: (await import("../../functions/api/handler.js")).handler }),
  // One entry, three handler exports: CDK builds a function per export (plan, slice, finish).
  "tailor-rescore": rescoreTasks,
  "tailor-rescore-plan": rescoreTasks,
  "tailor-rescore-cluster": rescoreTasks,
  "tailor-rescore-slice": rescoreTasks,
  "tailor-rescore-finish": rescoreTasks,
};
