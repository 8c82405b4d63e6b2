import { fileURLToPath } from "node:url";
import { InfraConfigError } from "./infra-config-error.js";

/** The script that compiles the templates, found from this file wherever the repository is checked out. */
const script = fileURLToPath(new URL("./write-compiled-templates.ts", import.meta.url));

/** Characters that would break out of the double-quoted shell words of the command. */
const unsafeInShell = /["$`\\\n]/;

/**
 * The after-bundling commands that write the compiled templates of `templatesRoot` (the folder holding
 * `emails/` and `blocks/`) as `fileName` in the bundle: run with the Node.js and the tsx of the synthesising
 * process, so only when bundling for real, on the machine that synthesises.
 */
export function compiledTemplatesHook(
  templatesRoot: string,
  fileName: string,
): (inputDir: string, outputDir: string) => string[] {
  const tsxLoader = import.meta.resolve("tsx");
  for (const word of [templatesRoot, fileName, script, process.execPath, tsxLoader]) {
    if (unsafeInShell.test(word)) throw new InfraConfigError(`unsupported characters in ${word}`);
  }
  return (_inputDir, outputDir) => [
    `"${process.execPath}" --import "${tsxLoader}" "${script}" "${templatesRoot}" "${outputDir}/${fileName}"`,
  ];
}
