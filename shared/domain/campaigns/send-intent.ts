import { z } from "zod";
import { catalogChangeSchema } from "../catalog/catalog-change.js";
import { type JourneyTrigger, type SendIntent, TRIGGER_LINES_MAX } from "./contracts.js";

const triggerLineSchema = z.object({
  productId: z.string().min(1),
  quantity: z.number().finite(),
  name: z.string().optional(),
  category: z.string().optional(),
  price: z.number().finite().optional(),
});
const linesSchema = z.array(triggerLineSchema).max(TRIGGER_LINES_MAX);
const amount = z.number().finite().optional();

/** A {@link JourneyTrigger} as JSON. */
export const journeyTriggerSchema: z.ZodType<JourneyTrigger> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("order"),
    at: z.number().finite(),
    orderId: z.string().min(1),
    number: z.string().optional(),
    currency: z.string(),
    total: amount,
    subtotal: amount,
    shipping: amount,
    tax: amount,
    discount: amount,
    lines: linesSchema,
  }),
  z.object({ kind: z.literal("cart"), at: z.number().finite(), currency: z.string(), lines: linesSchema }),
  z.object({ kind: z.literal("catalog"), change: catalogChangeSchema }),
]);

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
