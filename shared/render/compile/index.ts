/**
 * The build-time template compiler: MJML → HTML with the Liquid intact, the plain-text part made with
 * html-to-text, every check of `shared/render/README.md`. For builds, the CLI, the local stack and tests, never
 * for a deployed function (which reads what this wrote; `npm run lint:layers` and the bundle budgets keep it so).
 *
 * @module
 */

export { bodyOf, compileSlots, compileSlotTemplates, slotLayout } from "./compile-slots.js";
export { type CompileOptions, compileTemplates, type SampleContext } from "./compile-templates.js";
export { writeCompiledTemplates } from "./write-compiled-templates.js";
