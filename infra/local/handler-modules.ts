import type { KinesisHandler } from "./kinesis-event.js";

/**
 * Which module holds each function's handler, by the function's local name. Loaded lazily, after the
 * function's environment is in `process.env` (handlers validate it when their module loads).
 */
export const handlerModules: Readonly<Record<string, () => Promise<KinesisHandler>>> = {
  "tailor-ingest": async () => (await import("../../functions/ingest/handler.js")).handler,
};
