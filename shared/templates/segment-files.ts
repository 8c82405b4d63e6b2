/**
 * Segment definition files: `templates/segments/<id>.yaml` (or `.yml`, `.json`), one definition per file.
 * Read at build time (`cdk synth`, `npm test`) and at a handler's cold start: an invalid library fails there,
 * with every problem named by file, line, path and rule, never in production traffic.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, sep } from "node:path";
import { type Document, isNode, LineCounter, parseDocument } from "yaml";
import { checkSegmentDefinition } from "../domain/segments/definition-schema.js";
import {
  buildLibrary,
  type SegmentDefinition,
  type SegmentLibrary,
  SegmentLibraryError,
} from "../domain/segments/index.js";
import { TailorError } from "../errors.js";

/** File name endings read as definitions. */
export const SEGMENT_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** One problem in one definition file. */
export interface SegmentFileProblem {
  /** The file, relative to the definitions directory (`/` separated). */
  readonly file: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** Path inside the definition (`rule.all[0].event.within`); empty for the file as a whole. */
  readonly path: string;
  /** The rule broken: `yaml`, `file_name`, `required`, `type`, `window`, `cycle`, … */
  readonly rule: string;
  readonly message: string;
}

/** Invalid segment definitions: every problem, in every file, at once. Never retryable. */
export class SegmentDefinitionError extends TailorError {
  readonly problems: readonly SegmentFileProblem[];

  constructor(dir: string, problems: readonly SegmentFileProblem[], cause?: unknown) {
    super([`invalid segment definitions in ${dir}:`, ...problems.map(formatProblem)].join("\n"), {
      retryable: false,
      cause,
    });
    this.problems = problems;
  }
}

/** `cart.yaml:7 rule.all[0].event.within [window]: windows up to 48h are whole hours`. */
export function formatProblem(problem: SegmentFileProblem): string {
  const where = `${problem.file}${problem.line === undefined ? "" : `:${problem.line}`}`;
  const path = problem.path === "" ? "" : ` ${problem.path}`;
  return `  ${where}${path} [${problem.rule}]: ${problem.message}`;
}

/** Every definition file under `dir` (segments, campaigns), sorted, relative to it. */
export function definitionFiles(
  dir: string,
  extensions: readonly string[] = SEGMENT_FILE_EXTENSIONS,
): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => extensions.some((ext) => file.endsWith(ext)))
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => file.split(sep).join("/"))
    .sort();
}

/** 1-based line of the node at `keys`, or of its nearest ancestor present in the document. */
export function lineOf(doc: Document, lines: LineCounter, keys: readonly PropertyKey[]): number | undefined {
  for (let length = keys.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(keys.slice(0, length), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

interface ReadFile {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly definition: SegmentDefinition;
}

/**
 * Parses one definition file (YAML, of which JSON is a subset) with a line counter, so later problems can name
 * their line. A syntax error is pushed onto `problems` (rule `yaml`, with its line) and yields `undefined`.
 */
export function parseDefinitionFile(
  dir: string,
  file: string,
  problems: SegmentFileProblem[],
): { readonly doc: Document; readonly lines: LineCounter } | undefined {
  return parseDefinitionText(readFileSync(join(dir, file), "utf8"), file, problems);
}

/** {@link parseDefinitionFile} of a text (named `file` in problems). */
function parseDefinitionText(
  text: string,
  file: string,
  problems: SegmentFileProblem[],
): { readonly doc: Document; readonly lines: LineCounter } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
  });
  if (doc.errors.length === 0) return { doc, lines };
  for (const error of doc.errors) {
    const line = lines.linePos(error.pos[0]).line;
    problems.push({
      file,
      ...(line === undefined ? {} : { line }),
      path: "",
      rule: "yaml",
      message: error.message,
    });
  }
  return undefined;
}

function readDefinition(dir: string, file: string, problems: SegmentFileProblem[]): ReadFile | undefined {
  const parsed = parseDefinitionFile(dir, file, problems);
  if (parsed === undefined) return undefined;
  const checked = checkParsed(file, parsed, problems);
  if (checked === undefined) return undefined;
  const expected = basename(file, extname(file));
  if (checked.definition.id !== expected) {
    const line = lineOf(checked.doc, checked.lines, ["id"]);
    problems.push({
      file,
      ...(line === undefined ? {} : { line }),
      path: "id",
      rule: "file_name",
      message: `id ${checked.definition.id} must match the file name ${expected}`,
    });
    return undefined;
  }
  return checked;
}

function checkParsed(
  file: string,
  { doc, lines }: { readonly doc: Document; readonly lines: LineCounter },
  problems: SegmentFileProblem[],
): ReadFile | undefined {
  const checked = checkSegmentDefinition(doc.toJS());
  if (!checked.ok) {
    for (const issue of checked.issues) {
      const line = lineOf(doc, lines, issue.keys);
      problems.push({
        file,
        ...(line === undefined ? {} : { line }),
        path: issue.path,
        rule: issue.rule,
        message: issue.message,
      });
    }
    return undefined;
  }
  return { file, doc, lines, definition: checked.definition };
}

/** Library problems, placed in the files of the segments they name. */
function libraryProblems(error: SegmentLibraryError, files: readonly ReadFile[]): SegmentFileProblem[] {
  return error.problems.flatMap((problem) => {
    const owners = files.filter((read) => read.definition.id === problem.segmentId);
    return owners.map((owner) => {
      const keys = problem.path
        .split(/[.[\]]/)
        .filter((key) => key !== "")
        .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
      const line = lineOf(owner.doc, owner.lines, keys);
      return {
        file: owner.file,
        ...(line === undefined ? {} : { line }),
        path: problem.path,
        rule: problem.rule,
        message: problem.message,
      };
    });
  });
}

/**
 * Reads, checks and links every definition under `dir` (recursively): each file must hold one valid definition
 * whose `id` is its file name, and together they must form a library (no duplicate ids, no unknown or cyclic
 * `inSegment`). Throws {@link SegmentDefinitionError} listing every problem.
 */
export function loadSegmentLibrary(dir: string): SegmentLibrary {
  let files: string[];
  try {
    files = definitionFiles(dir);
  } catch (cause) {
    throw new SegmentDefinitionError(
      dir,
      [{ file: ".", path: "", rule: "directory", message: `cannot read the directory: ${String(cause)}` }],
      cause,
    );
  }
  const problems: SegmentFileProblem[] = [];
  const read = files.flatMap((file) => readDefinition(dir, file, problems) ?? []);
  if (problems.length > 0) throw new SegmentDefinitionError(dir, problems);
  try {
    return buildLibrary(read.map((entry) => entry.definition));
  } catch (error) {
    if (error instanceof SegmentLibraryError) {
      throw new SegmentDefinitionError(dir, libraryProblems(error, read), error);
    }
    throw error;
  }
}

/**
 * Checks one definition being written (the console's live preview) as the build would check it as `file`
 * beside the library's other definitions (a definition of the same id replaced): the problems, each with its
 * line and rule, or the library it would make and the definition.
 */
export function checkDefinitionText(
  text: string,
  file: string,
  library: SegmentLibrary,
):
  | { readonly ok: true; readonly library: SegmentLibrary; readonly definition: SegmentDefinition }
  | { readonly ok: false; readonly problems: readonly SegmentFileProblem[] } {
  const problems: SegmentFileProblem[] = [];
  const parsed = parseDefinitionText(text, file, problems);
  const read = parsed === undefined ? undefined : checkParsed(file, parsed, problems);
  if (read === undefined) return { ok: false, problems };
  const others = library.definitions.filter((definition) => definition.id !== read.definition.id);
  try {
    return { ok: true, library: buildLibrary([...others, read.definition]), definition: read.definition };
  } catch (error) {
    if (error instanceof SegmentLibraryError) return { ok: false, problems: libraryProblems(error, [read]) };
    throw error;
  }
}
