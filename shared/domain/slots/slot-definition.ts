import { z } from "zod";
import { CONTENT_BLOCK_MAX } from "../catalog/index.js";

/** The blocks a slot can show: the same blocks emails carry (`templates/blocks/<block>.mjml`). */
export const SLOT_BLOCKS = ["recommendations", "offer", "content"] as const;

/** One of {@link SLOT_BLOCKS}. */
export type SlotBlock = (typeof SLOT_BLOCKS)[number];

/** Most products a recommendations slot shows. */
export const SLOT_RECOMMENDATIONS_MAX = 12;

/**
 * An on-site content slot (`templates/slots/<id>.yaml`): which block `GET /v1/content/<id>` returns and its
 * parameters. Checked at build time.
 */
export interface SlotDefinition {
  /** The file's name without extension: the path segment of the route. */
  readonly id: string;
  readonly block: SlotBlock;
  /** Products (recommendations, 1–12, default 4) or items (content, 1–`CONTENT_BLOCK_MAX`, default 3); 1 for an offer. */
  readonly limit: number;
  /** A heading replacing the block's own (`rec_title`, `content_title`). */
  readonly title?: string;
}

/** The rules a slot file is checked by (the id comes from the file name). */
export const slotDefinitionSchema = z
  .strictObject({
    block: z.enum(SLOT_BLOCKS, { error: `block is one of ${SLOT_BLOCKS.join(", ")}` }),
    limit: z.int().min(1).optional(),
    title: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .regex(/^[^"{}%<>]*$/, 'title is plain text without " { } % < >')
      .optional(),
  })
  .superRefine((input, ctx) => {
    const max =
      input.block === "recommendations"
        ? SLOT_RECOMMENDATIONS_MAX
        : input.block === "content"
          ? CONTENT_BLOCK_MAX
          : 1;
    if (input.limit !== undefined && input.limit > max) {
      ctx.addIssue({
        code: "custom",
        path: ["limit"],
        message: `limit of a ${input.block} slot is at most ${max}`,
      });
    }
  });

/** Slot ids: lower-case kebab-case, as they appear in the URL. */
export const SLOT_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The definition of slot `id` from its checked file content. */
export function slotDefinition(id: string, input: z.infer<typeof slotDefinitionSchema>): SlotDefinition {
  const limit = input.limit ?? (input.block === "recommendations" ? 4 : input.block === "content" ? 3 : 1);
  return { id, block: input.block, limit, ...(input.title === undefined ? {} : { title: input.title }) };
}
