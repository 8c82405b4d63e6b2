import { z } from "zod";

const occurrence = z.iso.datetime({
  message: "occurrence: expected an ISO time such as 2026-11-23T09:00:00.000Z",
});

/** What the schedule rule (or `tailor campaign run`) passes `Plan`: the campaign, the tick, and parts if forced. */
export const planFanOutInputSchema = z.object({
  campaignId: z.string().min(1),
  /** EventBridge's `time` of the tick; absent: now. */
  time: z.string().optional(),
  /** Parts exactly (1 to 1,000), instead of sizing them; a restart keeps the first start's. */
  parts: z.number().int().min(1).max(1000).optional(),
});

/** What the `Parts` map hands each `Part` invocation (and each returns for the next). */
export const fanOutPartInputSchema = z.object({
  campaignId: z.string().min(1),
  occurrence,
  source: z.enum(["index", "scan"]),
  segmentId: z.string().min(1),
  part: z.number().int().nonnegative(),
  parts: z.number().int().min(1),
  cursor: z.string().optional(),
});

/** What `Finish` gets: the run's key. */
export const finishFanOutInputSchema = z.object({ campaignId: z.string().min(1), occurrence });

export type PlanFanOutInput = z.input<typeof planFanOutInputSchema>;
export type FanOutPartEvent = z.input<typeof fanOutPartInputSchema>;
export type FinishFanOutInput = z.input<typeof finishFanOutInputSchema>;
