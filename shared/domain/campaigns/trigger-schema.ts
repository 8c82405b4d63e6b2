import { z } from "zod";
import { catalogChangeSchema } from "../catalog/index.js";
import { ID_MAX } from "../events/index.js";
import { type JourneyTrigger, TRIGGER_LINES_MAX } from "./contracts.js";
import { TRIGGER_TEXT_MAX } from "./trigger-snapshot.js";

const amount = z.number().finite().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD");
const text = z.string().max(TRIGGER_TEXT_MAX);

const lineSchema = z.object({
  productId: z.string().min(1).max(ID_MAX),
  quantity: z.number().int().positive(),
  name: text.optional(),
  category: text.optional(),
  price: amount.optional(),
});

const lines = z.array(lineSchema).max(TRIGGER_LINES_MAX);
const moreLines = z.number().int().positive().optional();

/** A {@link JourneyTrigger} as it travels in a send intent's JSON: checked on the way back in. */
export const journeyTriggerSchema: z.ZodType<JourneyTrigger> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("order"),
    at: z.number().finite(),
    orderId: z.string().min(1).max(ID_MAX),
    number: z.string().min(1).max(ID_MAX).optional(),
    currency,
    total: amount.optional(),
    subtotal: amount.optional(),
    shipping: amount.optional(),
    tax: amount.optional(),
    discount: amount.optional(),
    lines,
    moreLines,
  }),
  z.object({ kind: z.literal("cart"), at: z.number().finite(), currency, lines, moreLines }),
  z.object({ kind: z.literal("product"), at: z.number().finite(), currency, product: lineSchema }),
  z.object({ kind: z.literal("catalog"), change: catalogChangeSchema }),
]);
