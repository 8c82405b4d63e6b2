import { z } from "zod";
import { timerGraceEnvShape } from "./retention-env.js";

/** The environment every function that evaluates segments needs; each function's schema includes it. */
export const segmentEnvShape = {
  /** Folder of segment definitions, relative to the working directory (the bundle root on Lambda). */
  SEGMENTS_DIR: z.string().min(1),
  /** DynamoDB table of due-time timers (partition `b`, sort `k`). */
  TIMERS_TABLE: z.string().min(3),
  ...timerGraceEnvShape,
  /** DynamoDB table of segment bookkeeping: sharded size counters and the RFM thresholds (`pk`, `sk`). */
  SEGMENTS_TABLE: z.string().min(3),
  /** SQS queue receiving segment transitions (entered, exited) for campaigns. */
  TRANSITIONS_QUEUE_URL: z.string().min(1),
} as const;

export type SegmentEnv = z.infer<z.ZodObject<typeof segmentEnvShape>>;
