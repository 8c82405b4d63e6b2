import type { CompiledTemplate } from "./compile-template.js";

/** Version of the compiled-templates layout: a renderer refuses a file of another layout. */
export const TEMPLATES_FORMAT = 1;

/**
 * Every template compiled at build time: MJML already turned into HTML, Liquid still in it. Plain JSON, so the
 * build can write it next to the function bundle and the function only parses Liquid at cold start.
 */
export interface CompiledTemplates {
  readonly format: typeof TEMPLATES_FORMAT;
  readonly templates: readonly CompiledTemplate[];
}
