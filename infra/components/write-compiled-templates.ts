/**
 * Compiles the email templates under a `templates/` folder and writes them as JSON (`CompiledTemplates`), for
 * dispatch to read at cold start instead of compiling MJML. Run by the dispatch bundle's hook:
 * `node --import tsx infra/components/write-compiled-templates.ts <templates folder> <output file>`.
 *
 * @module
 */
import { writeCompiledTemplates } from "#shared/render/compile/index.js";
import { describeProblem } from "#shared/render/render-errors.js";

const [templatesRoot, outputFile] = process.argv.slice(2);
if (templatesRoot === undefined || outputFile === undefined) {
  process.stderr.write("usage: write-compiled-templates <templates folder> <output file>\n");
  process.exit(2);
}
await writeCompiledTemplates(templatesRoot, outputFile, {
  onWarning: (warning) => process.stderr.write(`warning: ${describeProblem(warning)}\n`),
});
