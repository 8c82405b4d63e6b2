import { z } from "zod";
import type { ShardRecord } from "./kinesis-event.js";

/** What the poller makes of one invocation. */
export type InvocationOutcome =
  | { readonly kind: "ok" }
  /** The records before `index` succeeded; retry from `index` (the lowest failed sequence number). */
  | { readonly kind: "partial"; readonly index: number }
  | { readonly kind: "error"; readonly error: unknown };

const responseSchema = z.looseObject({
  batchItemFailures: z.array(z.looseObject({ itemIdentifier: z.unknown() })).nullish(),
});

/**
 * Reads a handler's response as Lambda does with `ReportBatchItemFailures`: no response or an empty
 * `batchItemFailures` is success; otherwise the lowest reported sequence number is where the batch fails; an
 * identifier that is empty or not in the batch fails the whole batch. Without `ReportBatchItemFailures`
 * the response is ignored.
 */
export function interpretResponse(
  response: unknown,
  batch: readonly ShardRecord[],
  reportBatchItemFailures: boolean,
): InvocationOutcome {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: "ok" };
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success) return { kind: "ok" };
  const failures = parsed.data.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: "ok" };
  let lowest = Number.POSITIVE_INFINITY;
  for (const { itemIdentifier } of failures) {
    const index =
      typeof itemIdentifier === "string" && itemIdentifier !== ""
        ? batch.findIndex((item) => item.record.SequenceNumber === itemIdentifier)
        : -1;
    if (index === -1) {
      return {
        kind: "error",
        error: new Error(
          `batchItemFailures names ${JSON.stringify(itemIdentifier)}, not a record of the batch`,
        ),
      };
    }
    lowest = Math.min(lowest, index);
  }
  return { kind: "partial", index: lowest };
}
