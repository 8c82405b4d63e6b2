import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompiledTemplates } from "../compiled-templates.js";
import { type CompileOptions, compileTemplates } from "./compile-templates.js";

/**
 * Compiles the templates under `root` (the folder holding `emails/` and `blocks/`) and writes them to `file` as
 * the JSON that `parseCompiledTemplates` reads, creating its folder: what a function bundle carries, and what the
 * local stack hands its dispatch function. Throws `TemplateBuildError` (nothing written) when a template fails.
 */
export async function writeCompiledTemplates(
  root: string,
  file: string,
  options: CompileOptions = {},
): Promise<CompiledTemplates> {
  const compiled = await compileTemplates(root, options);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(compiled));
  return compiled;
}
