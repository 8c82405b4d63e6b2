import { z } from "zod";

/** One message as an SQS batch delivers it: the id to report back on failure, and the body. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/** Parses a JSON message body with `schema`; `undefined` when it is not JSON or not of that shape. */
export function parseBody<S extends z.ZodType>(schema: S, body: string): z.infer<S> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A segment transition as the transitions queue carries it. */
export const transitionMessageSchema = z.object({
  id: z.string().min(1),
  customerId: z.string().min(1),
  segmentId: z.string().min(1),
  kind: z.enum(["entered", "exited"]),
  at: z.number().int().nonnegative(),
  version: z.number().int().nonnegative(),
  historical: z.literal(true).optional(),
});
