import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadSlots } from "../../templates/slot-files.js";
import type { CompiledTemplates } from "../compiled-templates.js";
import { compileSlotTemplates } from "./compile-slots.js";
import { type CompileOptions, compileTemplates } from "./compile-templates.js";

/**
 * Compiles the templates under `root` (the folder holding `emails/` and `blocks/`) and writes them to `file` as
 * the JSON that `parseCompiledTemplates` reads, creating its folder: what a function bundle carries, and what the
 * local stack hands its dispatch function. The slots of `templates/slots/`, when there are any, go in `slots`. Throws `TemplateBuildError` (nothing written) when a template fails.
 */
export async function writeCompiledTemplates(
  root: string,
  file: string,
  options: CompileOptions = {},
): Promise<CompiledTemplates> {
  const emails = await compileTemplates(root, options);
  const slotsDir = path.join(root, "slots");
  const slots = existsSync(slotsDir) ? [...loadSlots(slotsDir).values()] : [];
  const compiled: CompiledTemplates =
    slots.length === 0
      ? emails
      : {
          ...emails,
          slots: {
            definitions: slots,
            templates: (await compileSlotTemplates(root, slots, undefined)).templates,
          },
        };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(compiled));
  return compiled;
}
