import mjml2html from "mjml";
import type { SlotDefinition } from "../../domain/slots/slot-definition.js";
import {
  BASE_VARIANT,
  type CompiledTemplate,
  type CompiledTemplates,
  TEMPLATES_FORMAT,
} from "../compiled-templates.js";
import { TemplateBuildError, type TemplateProblem } from "../render-errors.js";
import { expandIncludes } from "./expand-includes.js";
import { textTemplateOf } from "./text-part.js";
import { wrapBareLiquid } from "./wrap-liquid.js";

/** The Liquid variable a block reads its heading from, by block. */
const TITLE_VARIABLE = { recommendations: "rec_title", content: "content_title", offer: undefined } as const;

/**
 * The MJML of a slot: the email's head block (fonts, attributes) and the slot's block from `templates/blocks/`,
 * with the slot's heading assigned as an email layout would.
 */
export function slotLayout(slot: SlotDefinition): string {
  const variable = TITLE_VARIABLE[slot.block];
  return [
    '<mjml lang="{{ customer.language }}">',
    "<mj-head>",
    '<mj-include path="../blocks/head.mjml" />',
    "</mj-head>",
    "<mj-body>",
    variable === undefined || slot.title === undefined
      ? ""
      : `{% assign ${variable} = ${JSON.stringify(slot.title)} %}`,
    `<mj-include path="../blocks/${slot.block}.mjml" />`,
    "</mj-body>",
    "</mjml>",
  ].join("\n");
}

/** What MJML puts inside `<body>`: the fragment a page embeds (no `<html>`, `<head>` or `<style>`). */
export function bodyOf(html: string): string {
  const match = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  // MJML marks its wrapper as an email article; on a shop's page it is a part of the page.
  return (match?.[1] ?? html).replace(/\s+aria-roledescription="email"\s+role="article"/, "").trim();
}

/**
 * Compiles each slot as a one-variant template named by the slot's id: MJML to HTML once, as for emails, keeping
 * only the body (a fragment for a page) with its Liquid. Problems are collected, never thrown.
 */
export async function compileSlots(
  root: string,
  slots: Iterable<SlotDefinition>,
): Promise<{ templates: CompiledTemplate[]; problems: TemplateProblem[] }> {
  const templates: CompiledTemplate[] = [];
  const problems: TemplateProblem[] = [];
  for (const slot of slots) {
    const file = `slots/${slot.id}.yaml`;
    const expanded = expandIncludes(root, `slots/${slot.id}.mjml`, slotLayout(slot));
    for (const issue of expanded.problems)
      problems.push({ template: `slot ${slot.id}`, file, message: issue.message });
    if (expanded.problems.length > 0) continue;
    const result = await mjml2html(wrapBareLiquid(expanded.source.text), {
      validationLevel: "soft",
      ignoreIncludes: true,
      keepComments: false,
    });
    for (const error of result.errors)
      problems.push({ template: `slot ${slot.id}`, file, message: `MJML: ${error.message}` });
    const html = bodyOf(result.html);
    templates.push({
      name: slot.id,
      variants: [{ id: BASE_VARIANT, subject: slot.id, preheader: "", html, text: textTemplateOf(html) }],
    });
  }
  return { templates, problems };
}

/**
 * The slots compiled for a renderer of their own: one template per slot, with the emails' translated copy
 * (`locales` of the compiled emails). Throws {@link TemplateBuildError} naming every problem.
 */
export async function compileSlotTemplates(
  root: string,
  slots: Iterable<SlotDefinition>,
  locales: CompiledTemplates["locales"],
): Promise<CompiledTemplates> {
  const { templates, problems } = await compileSlots(root, slots);
  if (problems.length > 0) throw new TemplateBuildError(problems);
  return { format: TEMPLATES_FORMAT, templates, ...(locales === undefined ? {} : { locales }) };
}
