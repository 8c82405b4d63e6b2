/**
 * Campaign definition files: `templates/campaigns/<id>.yaml` (or `.yml`, `.json`), one campaign per file.
 * Read at build time (`cdk synth`, `npm test`) and at a handler's cold start, like the segment files: an
 * invalid library fails there, with every problem named by file, line, path and rule.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Document, LineCounter } from "yaml";
import {
  BASE_VARIANT,
  buildCampaignLibrary,
  type CampaignDefinition,
  type CampaignLibrary,
  CampaignLibraryError,
  checkCampaignDefinition,
  type TemplateCatalog,
} from "../domain/campaigns/index.js";
import { TailorError } from "../errors.js";
import {
  definitionFiles,
  formatProblem,
  lineOf,
  parseDefinitionFile,
  type SegmentFileProblem,
} from "./segment-files.js";
import { loadSmsTemplates } from "./sms-files.js";

/** File name endings read as campaign definitions. */
export const CAMPAIGN_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** One problem in one campaign file: file, line, path, rule, message (as for segments). */
export type CampaignFileProblem = SegmentFileProblem;

/** Invalid campaign definitions: every problem, in every file, at once. Never retryable. */
export class CampaignDefinitionError extends TailorError {
  readonly problems: readonly CampaignFileProblem[];

  constructor(dir: string, problems: readonly CampaignFileProblem[], cause?: unknown) {
    super([`invalid campaign definitions in ${dir}:`, ...problems.map(formatProblem)].join("\n"), {
      retryable: false,
      cause,
    });
    this.problems = problems;
  }
}

/**
 * The email templates under `emailsDir` (`templates/emails`): each folder is a template, whose variants are
 * `a` (the template itself) and the folders under its `variants/`.
 */
export function readTemplateCatalog(emailsDir: string): TemplateCatalog {
  const catalog = new Map<string, string[]>();
  for (const entry of readdirSync(emailsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const variantsDir = join(emailsDir, entry.name, "variants");
    const variants = existsSync(variantsDir)
      ? readdirSync(variantsDir, { withFileTypes: true })
          .filter((v) => v.isDirectory())
          .map((v) => v.name)
          .sort()
      : [];
    catalog.set(entry.name, [BASE_VARIANT, ...variants.filter((v) => v !== BASE_VARIANT)]);
  }
  return catalog;
}

interface ReadFile {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly definition: CampaignDefinition;
}

function problemAt(
  read: { file: string; doc: Document; lines: LineCounter },
  keys: readonly PropertyKey[],
  path: string,
  rule: string,
  message: string,
): CampaignFileProblem {
  const line = lineOf(read.doc, read.lines, keys);
  return { file: read.file, ...(line === undefined ? {} : { line }), path, rule, message };
}

function readDefinition(dir: string, file: string, problems: CampaignFileProblem[]): ReadFile | undefined {
  const parsed = parseDefinitionFile(dir, file, problems);
  if (parsed === undefined) return undefined;
  const where = { file, ...parsed };
  const checked = checkCampaignDefinition(parsed.doc.toJS());
  if (!checked.ok) {
    for (const issue of checked.issues)
      problems.push(problemAt(where, issue.keys, issue.path, issue.rule, issue.message));
    return undefined;
  }
  const expected = basename(file, extname(file));
  if (checked.definition.id !== expected) {
    problems.push(
      problemAt(
        where,
        ["id"],
        "id",
        "file_name",
        `id ${checked.definition.id} must match the file name ${expected}`,
      ),
    );
    return undefined;
  }
  return { ...where, definition: checked.definition };
}

/** `steps[0].variants[1].id` → `["steps", 0, "variants", 1, "id"]`. */
function keysOf(path: string): PropertyKey[] {
  return path
    .split(/[.[\]]/)
    .filter((key) => key !== "")
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}

/** What campaign files refer to: the template catalog (or the `templates/emails` directory) and the segments. */
export interface CampaignFileReferences {
  readonly templates: TemplateCatalog | string;
  readonly segments: { readonly byId: ReadonlyMap<string, unknown> };
  /**
   * The SMS templates' names, or the templates folder whose `sms/*.liquid` they are read from.
   * @default - SMS template names not checked
   */
  readonly smsTemplates?: ReadonlySet<string> | string;
}

const smsNames = (refs: ReadonlySet<string> | string): ReadonlySet<string> =>
  typeof refs === "string" ? new Set(loadSmsTemplates(refs).map((template) => template.name)) : refs;

/**
 * Reads, checks and links every campaign under `dir` (recursively): each file holds one valid definition whose
 * `id` is its file name; templates, template variants and segments it names exist; ids are unique. Throws
 * {@link CampaignDefinitionError} listing every problem.
 */
export function loadCampaignLibrary(dir: string, refs: CampaignFileReferences): CampaignLibrary {
  let files: string[];
  let templates: TemplateCatalog;
  try {
    files = definitionFiles(dir, CAMPAIGN_FILE_EXTENSIONS);
    templates = typeof refs.templates === "string" ? readTemplateCatalog(refs.templates) : refs.templates;
  } catch (cause) {
    throw new CampaignDefinitionError(
      dir,
      [{ file: ".", path: "", rule: "directory", message: `cannot read the directory: ${String(cause)}` }],
      cause,
    );
  }
  const problems: CampaignFileProblem[] = [];
  const read = files.flatMap((file) => readDefinition(dir, file, problems) ?? []);
  if (problems.length > 0) throw new CampaignDefinitionError(dir, problems);
  try {
    return buildCampaignLibrary(
      read.map((entry) => entry.definition),
      {
        templates,
        segmentIds: new Set(refs.segments.byId.keys()),
        ...(refs.smsTemplates === undefined ? {} : { smsTemplates: smsNames(refs.smsTemplates) }),
      },
    );
  } catch (error) {
    if (!(error instanceof CampaignLibraryError)) throw error;
    const placed = error.problems.flatMap((problem) =>
      read
        .filter((entry) => entry.definition.id === problem.campaignId)
        .map((owner) => problemAt(owner, keysOf(problem.path), problem.path, problem.rule, problem.message)),
    );
    throw new CampaignDefinitionError(dir, placed, error);
  }
}
