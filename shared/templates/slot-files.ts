/**
 * On-site content slots: `templates/slots/<id>.yaml` (or `.yml`, `.json`), one slot per file, read at build
 * time and at the API's cold start. An invalid slot fails there, every problem named by file, line and path.
 *
 * @module
 */
import { basename, extname } from "node:path";
import {
  SLOT_ID,
  type SlotDefinition,
  slotDefinition,
  slotDefinitionSchema,
} from "../domain/slots/slot-definition.js";
import { TailorError } from "../errors.js";
import type { SegmentFileProblem } from "./segment-files.js";
import { definitionFiles, formatProblem, lineOf, parseDefinitionFile } from "./segment-files.js";

/** Invalid slot definitions: every problem, in every file, at once. Never retryable. */
export class SlotDefinitionError extends TailorError {
  readonly problems: readonly SegmentFileProblem[];

  constructor(dir: string, problems: readonly SegmentFileProblem[]) {
    super([`invalid slot definitions in ${dir}:`, ...problems.map(formatProblem)].join("\n"), {
      retryable: false,
    });
    this.problems = problems;
  }
}

/** Every slot under `dir`, by id; throws {@link SlotDefinitionError} naming each problem. */
export function loadSlots(dir: string): ReadonlyMap<string, SlotDefinition> {
  const problems: SegmentFileProblem[] = [];
  const slots = new Map<string, SlotDefinition>();
  for (const file of definitionFiles(dir)) {
    const id = basename(file, extname(file));
    if (!SLOT_ID.test(id) || file.includes("/")) {
      problems.push({
        file,
        path: "",
        rule: "file_name",
        message: "a slot file is templates/slots/<id>.yaml with a kebab-case id, e.g. product-page.yaml",
      });
      continue;
    }
    const parsed = parseDefinitionFile(dir, file, problems);
    if (parsed === undefined) continue;
    const checked = slotDefinitionSchema.safeParse(parsed.doc.toJS());
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const line = lineOf(parsed.doc, parsed.lines, issue.path);
        problems.push({
          file,
          ...(line === undefined ? {} : { line }),
          path: issue.path.join("."),
          rule: issue.code,
          message: issue.message,
        });
      }
      continue;
    }
    slots.set(id, slotDefinition(id, checked.data));
  }
  if (problems.length > 0) throw new SlotDefinitionError(dir, problems);
  return slots;
}
