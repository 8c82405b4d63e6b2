import { z } from "zod";

/**
 * A change of a product that customers may want to hear about, found where the catalog is written (a feed
 * import or a product event on the stream): the price went down in a currency, or the product came back in
 * stock. Travels as JSON on the catalog changes queue to the function that finds who viewed or carted it.
 */
export type CatalogChange =
  | {
      readonly kind: "price-drop";
      readonly productId: string;
      /** When the catalog learnt it (epoch ms): the event's time, or the import's start. */
      readonly at: number;
      readonly currency: string;
      /** Major units, before and after. */
      readonly before: number;
      readonly after: number;
    }
  | {
      readonly kind: "back-in-stock";
      readonly productId: string;
      readonly at: number;
    };

/** A {@link CatalogChange} as JSON: checked on the way back in. */
export const catalogChangeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("price-drop"),
    productId: z.string().min(1).max(256),
    at: z.number().finite(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    before: z.number().finite().nonnegative(),
    after: z.number().finite().nonnegative(),
  }),
  z.object({
    kind: z.literal("back-in-stock"),
    productId: z.string().min(1).max(256),
    at: z.number().finite(),
  }),
]);
