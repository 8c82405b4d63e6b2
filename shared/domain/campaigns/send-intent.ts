import { z } from "zod";
import type { SendIntent } from "./contracts.js";
import { journeyTriggerSchema } from "./trigger-schema.js";

/** A {@link SendIntent} as it travels as JSON (queue bodies, timer payloads): checked on the way back in. */
export const sendIntentSchema = z.object({
  key: z.string().min(1),
  campaignId: z.string().min(1),
  customerId: z.string().min(1),
  occurrence: z.string(),
  step: z.number().int().nonnegative(),
  template: z.string().min(1),
  dueAt: z.number().finite(),
  startedAt: z.number().finite(),
  /** The event that started the journey (bounded, see `trigger-snapshot.ts`); absent for other triggers. */
  trigger: journeyTriggerSchema.optional(),
});

/** The intent in `json`, or the reason it is not one (never throws). */
export function parseSendIntent(
  json: string,
): { readonly ok: true; readonly intent: SendIntent } | { readonly ok: false; readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = sendIntentSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    return { ok: false, reason: `not a send intent: ${issues.join("; ")}` };
  }
  return { ok: true, intent: parsed.data };
}
