import path from "node:path";
import { writeCompiledTemplates } from "#shared/render/compile/index.js";
import { localFunctionEnvironment } from "./function-env.js";
import { LocalStackError } from "./local-errors.js";
import type { FunctionSpec } from "./resource-plan.js";

/** The compiled templates' file in the data dir. */
const FILE_NAME = "compiled-templates.json";

/**
 * What a bundle carries and the local stack has no bundle for: the email templates compiled ahead. For the
 * functions that read a `TEMPLATES_FILE` (dispatch), compiles the templates folder their `EMAILS_DIR` lies in
 * (as the bundling hook does) into `<dataDir>/compiled-templates.json`, rewritten on each start so an edited
 * template shows; resolves the file, or `undefined` when no function reads one. A template that does not build
 * fails the start with `TemplateBuildError`, naming every problem.
 */
export async function writeLocalTemplates(
  functions: readonly FunctionSpec[],
  dataDir: string,
): Promise<string | undefined> {
  const reader = functions.find((fn) => fn.environment.TEMPLATES_FILE !== undefined);
  if (reader === undefined) return undefined;
  const emails = localFunctionEnvironment(reader).EMAILS_DIR;
  if (emails === undefined) {
    throw new LocalStackError(
      `${reader.name}: TEMPLATES_FILE is set but not EMAILS_DIR, the templates to compile`,
    );
  }
  const file = path.join(dataDir, FILE_NAME);
  // EMAILS_DIR is `<templates>/emails`; the compiler reads the blocks beside it.
  await writeCompiledTemplates(path.dirname(emails), file);
  return file;
}
