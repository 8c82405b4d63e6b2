import type { KinesisHandler } from "./kinesis-event.js";
import type { ScheduledHandler } from "./scheduled-event.js";

/** A function's handler, by the kind of event the local stack drives it with. */
export interface FunctionHandlers {
  /** Invoked by a Kinesis event source mapping. */
  readonly kinesis?: KinesisHandler;
  /** Invoked by an EventBridge schedule. */
  readonly scheduled?: ScheduledHandler;
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
};
