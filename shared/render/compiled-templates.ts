import { z } from "zod";
import { SLOT_BLOCKS, SLOT_ID, type SlotDefinition } from "../domain/slots/slot-definition.js";
import { type CompiledLocales, compiledLocalesSchema } from "./copy-locales.js";
import { RenderConfigError } from "./render-errors.js";
import type { SmsTemplate } from "./sms-templates.js";

/** Version of the compiled-templates layout: a renderer refuses a file of another layout. */
export const TEMPLATES_FORMAT = 1;

/**
 * Every template compiled at build time: MJML already turned into HTML, Liquid still in it. Plain JSON, so the
 * build can write it next to the function bundle and the function only parses Liquid at cold start.
 */
export interface CompiledTemplates {
  readonly format: typeof TEMPLATES_FORMAT;
  readonly templates: readonly CompiledTemplate[];
  /** The translated copy (`templates/locales.yaml` and the locale files); absent when the templates have none. */
  readonly locales?: CompiledLocales;
  /** On-site content slots (`templates/slots/`): each slot's block compiled as a template named by its id. */
  readonly slots?: CompiledSlots;
  /** The SMS templates (`templates/sms/*.liquid`), parsed; absent when the templates have none. */
  readonly sms?: readonly SmsTemplate[];
}

/** The slots of `GET /v1/content/{slot}`, compiled: their definitions and one template each, named by slot id. */
export interface CompiledSlots {
  readonly definitions: readonly SlotDefinition[];
  readonly templates: readonly CompiledTemplate[];
}

/** The id of the template's own variant. */
export const BASE_VARIANT = "a";

/** One variant of a template, compiled: Liquid text only, no MJML left. Plain JSON, so it can ship as a file. */
export interface CompiledVariant {
  /** `a` for the template itself, else the folder name under `variants/`. */
  readonly id: string;
  /** Subject line (Liquid, one line, rendered as plain text). */
  readonly subject: string;
  /** Preheader (Liquid, one line, plain text; shown hidden at the top of the HTML). */
  readonly preheader: string;
  /** The MJML layout compiled to HTML, with its Liquid intact. */
  readonly html: string;
  /** The plain-text part made from `html`, with its Liquid intact. */
  readonly text: string;
}

/** A template and its variants. */
export interface CompiledTemplate {
  readonly name: string;
  readonly variants: readonly CompiledVariant[];
}

const templateSchema = z.object({
  name: z.string().min(1),
  variants: z.array(
    z.object({
      id: z.string().min(1),
      subject: z.string(),
      preheader: z.string(),
      html: z.string(),
      text: z.string(),
    }),
  ),
});

const compiledTemplatesSchema = z.object({
  format: z.literal(TEMPLATES_FORMAT),
  templates: z.array(templateSchema),
  locales: compiledLocalesSchema.optional(),
  slots: z
    .object({
      definitions: z.array(
        z.object({
          id: z.string().regex(SLOT_ID),
          block: z.enum(SLOT_BLOCKS),
          limit: z.int().min(1),
          title: z.string().optional(),
        }),
      ),
      templates: z.array(templateSchema),
    })
    .optional(),
  sms: z
    .array(
      z.object({
        name: z.string().min(1),
        source: z.string().min(1),
        maxSegments: z.number().int().min(1).max(10),
      }),
    )
    .optional(),
});

/**
 * Reads the JSON of a compiled-templates file (as the build writes it). Throws {@link RenderConfigError} naming
 * `source` and the first fields that are wrong, e.g. a file of another format or not JSON at all.
 */
export function parseCompiledTemplates(json: string, source: string): CompiledTemplates {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RenderConfigError(`${source} is not a compiled templates file: not JSON (${reason})`);
  }
  const parsed = compiledTemplatesSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new RenderConfigError(
      `${source} is not a compiled templates file of format ${TEMPLATES_FORMAT}: ${problems.join("; ")}`,
    );
  }
  return parsed.data;
}
