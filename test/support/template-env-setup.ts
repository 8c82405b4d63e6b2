/**
 * Setup file of the `integration` project: points the local stack (and any CLI a test starts) at the template
 * the project's global setup synthesised once (`template-global-setup.ts`), instead of a synth per file.
 */
import { inject } from "vitest";
import { TEMPLATE_FILE_VARIABLE } from "#infra/local/stack-template.js";

process.env[TEMPLATE_FILE_VARIABLE] = inject("templateFile");
