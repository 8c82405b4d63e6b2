import { type FSWatcher, watch } from "node:fs";
import { rename } from "node:fs/promises";
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

/** The templates folder the local stack compiles (the one `EMAILS_DIR` of a `TEMPLATES_FILE` reader lies in). */
export function localTemplatesDir(functions: readonly FunctionSpec[]): string | undefined {
  const reader = functions.find((fn) => fn.environment.TEMPLATES_FILE !== undefined);
  const emails = reader === undefined ? undefined : localFunctionEnvironment(reader).EMAILS_DIR;
  return emails === undefined ? undefined : path.dirname(emails);
}

/** Quiet time after the last change before the templates are compiled again (an editor writes in bursts). */
const RECOMPILE_DELAY_MS = 150;

/**
 * Compiles the templates again into `file` whenever a file under `templatesDir` changes (the console's previews
 * then show the edit: their version is the file's). The new file replaces the old one whole (written aside, then
 * renamed); a template that no longer builds keeps the last good file and is logged with every problem.
 * Resolves the function that stops watching.
 */
export function watchLocalTemplates(
  templatesDir: string,
  file: string,
  log: (line: string) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const recompile = () => {
    running = running.then(async () => {
      const aside = `${file}.next`;
      try {
        await writeCompiledTemplates(templatesDir, aside);
        await rename(aside, file);
        log(
          `templates compiled again (${path.relative(process.cwd(), templatesDir) || templatesDir} changed)`,
        );
      } catch (error) {
        log(`templates not recompiled: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(templatesDir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(recompile, RECOMPILE_DELAY_MS);
    });
  } catch (error) {
    log(
      `templates are not watched (${error instanceof Error ? error.message : String(error)}): restart to see edits`,
    );
    return () => undefined;
  }
  watcher.on("error", (error) => log(`templates are no longer watched: ${error.message}`));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
