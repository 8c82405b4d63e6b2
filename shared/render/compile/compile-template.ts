import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Liquid } from "liquidjs";
import mjml2html from "mjml";
import { BASE_VARIANT, type CompiledVariant } from "../compiled-templates.js";
import { liquidErrorLine, liquidErrorMessage } from "../liquid-errors.js";
import { lineAt, scanLiquidTags } from "../liquid-tags.js";
import type { TemplateProblem } from "../render-errors.js";
import { checkCachedBlocks } from "./cached-block-checks.js";
import { type ExpandedSource, expandIncludes, originOf } from "./expand-includes.js";
import { checkAltText, checkRawUse, segmentReferences } from "./static-checks.js";
import { textTemplateOf } from "./text-part.js";
import { injectHead, wrapBareLiquid } from "./wrap-liquid.js";

/** A variant with the prepared MJML source it came from, to point errors at source lines. */
export interface VariantBuild {
  readonly compiled: CompiledVariant;
  /** The layout after includes, head injection and `<mj-raw>` wrapping: same lines as the expansion. */
  readonly source: ExpandedSource;
  /** Files of the subject and preheader (relative to the templates root), for error messages. */
  readonly subjectFile: string;
  readonly preheaderFile: string;
}

const LAYOUT = "layout.mjml";
const SUBJECT = "subject.liquid";
const PREHEADER = "preheader.liquid";
const VARIANT_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What compiling needs besides the files. */
export interface CompileSettings {
  readonly html: Liquid;
  readonly text: Liquid;
  /** When given, `in_segment` must name one of these. */
  readonly knownSegments?: ReadonlySet<string>;
}

/** Compiles `emails/<name>/` of `root` and its variants; problems are collected, never thrown. */
export async function compileTemplate(
  root: string,
  name: string,
  settings: CompileSettings,
): Promise<{ builds: VariantBuild[]; problems: TemplateProblem[] }> {
  const problems: TemplateProblem[] = [];
  const dir = `emails/${name}`;
  for (const required of [LAYOUT, SUBJECT, PREHEADER]) {
    if (!existsSync(path.join(root, dir, required))) {
      problems.push({ template: name, file: `${dir}/${required}`, message: "missing file" });
    }
  }
  if (problems.length > 0) return { builds: [], problems };
  const variantsDir = path.join(root, dir, "variants");
  const variantIds = existsSync(variantsDir)
    ? readdirSync(variantsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  const builds: VariantBuild[] = [];
  for (const id of [BASE_VARIANT, ...variantIds]) {
    if (id !== BASE_VARIANT && (!VARIANT_ID.test(id) || id === BASE_VARIANT)) {
      problems.push({
        template: name,
        file: `${dir}/variants/${id}`,
        message: `variant ids are lower-case letters, digits and dashes, and "${BASE_VARIANT}" is the template itself`,
      });
      continue;
    }
    const pick = (file: string) => {
      const own = `${dir}/variants/${id}/${file}`;
      return id !== BASE_VARIANT && existsSync(path.join(root, own)) ? own : `${dir}/${file}`;
    };
    const build = await compileVariant(
      root,
      name,
      id,
      { layout: pick(LAYOUT), subject: pick(SUBJECT), preheader: pick(PREHEADER) },
      settings,
      problems,
    );
    if (build !== undefined) builds.push(build);
  }
  return { builds, problems };
}

async function compileVariant(
  root: string,
  template: string,
  id: string,
  files: { layout: string; subject: string; preheader: string },
  settings: CompileSettings,
  problems: TemplateProblem[],
): Promise<VariantBuild | undefined> {
  const before = problems.length;
  const subject = oneLine(root, template, files.subject, settings.text, problems);
  const preheader = oneLine(root, template, files.preheader, settings.text, problems);

  const expanded = expandIncludes(root, files.layout);
  for (const issue of expanded.problems) problems.push({ template, ...issue });
  const text = wrapBareLiquid(injectHead(expanded.source.text));
  const source: ExpandedSource = { text, origins: expanded.source.origins };
  const at = (line: number) => {
    const origin = originOf(source, line);
    return origin === undefined ? { file: files.layout } : { file: origin.file, line: origin.line };
  };
  const report = (line: number, message: string) => problems.push({ template, ...at(line), message });

  for (const issue of [...checkAltText(text), ...checkRawUse(text)]) report(issue.line, issue.message);
  if (settings.knownSegments !== undefined) {
    for (const ref of segmentReferences(text)) {
      if (!settings.knownSegments.has(ref.id))
        report(ref.line, `in_segment names an unknown segment "${ref.id}"`);
    }
  }
  const parsed = parseProblem(settings.html, text);
  if (parsed !== undefined) report(parsed.line, parsed.message);
  if (problems.length > before) return undefined;
  for (const issue of checkCachedBlocks(settings.html.parse(text))) report(issue.line, issue.message);
  if (problems.length > before) return undefined;

  const result = await mjml2html(text, {
    validationLevel: "soft",
    ignoreIncludes: true,
    keepComments: false,
  });
  for (const error of result.errors) report(error.line, `MJML: ${error.message}`);
  const html = result.html;

  // MJML drops Liquid it does not expect without a word: every tag of the source must still be there.
  for (const tag of missingTags(text, html)) {
    report(
      lineAt(text, tag.start),
      `MJML dropped the Liquid tag ${tag.text}: move it inside an element's content or an <mj-raw>`,
    );
  }
  for (const issue of checkAltText(html)) {
    problems.push({ template, file: files.layout, message: `compiled HTML: ${issue.message}` });
  }
  if (problems.length > before) return undefined;

  const textPart = textTemplateOf(html);
  const htmlControl = scanLiquidTags(html).filter((tag) => tag.kind === "tag");
  for (const tag of missingTags(htmlControl.map((t) => t.text).join("\n"), textPart)) {
    problems.push({
      template,
      file: files.layout,
      message: `the text part lost the Liquid tag ${tag.text} (a tag inside an HTML attribute?): keep control tags between elements`,
    });
  }
  const textProblem = parseProblem(settings.text, textPart);
  if (textProblem !== undefined) {
    problems.push({ template, file: files.layout, message: `text part: ${textProblem.message}` });
  }
  if (problems.length > before || subject === undefined || preheader === undefined) return undefined;
  return {
    compiled: { id, subject, preheader, html, text: textPart },
    source,
    subjectFile: files.subject,
    preheaderFile: files.preheader,
  };
}

/** Reads a subject or preheader: trimmed, one line (so any CR or LF at render time came from data). */
function oneLine(
  root: string,
  template: string,
  file: string,
  engine: Liquid,
  problems: TemplateProblem[],
): string | undefined {
  const text = readFileSync(path.join(root, file), "utf8").trim();
  if (/[\r\n]/.test(text)) {
    problems.push({ template, file, line: 2, message: "must be a single line (it becomes an email header)" });
    return undefined;
  }
  if (text === "") {
    problems.push({ template, file, line: 1, message: "is empty" });
    return undefined;
  }
  const parsed = parseProblem(engine, text);
  if (parsed !== undefined) {
    problems.push({ template, file, line: parsed.line, message: parsed.message });
    return undefined;
  }
  const unsafe = checkCachedBlocks(engine.parse(text));
  for (const issue of unsafe) problems.push({ template, file, line: issue.line, message: issue.message });
  return unsafe.length > 0 ? undefined : text;
}

/** LiquidJS's parse error of `source`, with its line, if any. */
function parseProblem(engine: Liquid, source: string): { line: number; message: string } | undefined {
  try {
    engine.parse(source);
    return undefined;
  } catch (error) {
    return { line: liquidErrorLine(error) ?? 1, message: `Liquid: ${liquidErrorMessage(error)}` };
  }
}

/** Tags of `source` that `compiled` does not hold as often (compared as written, runs of spaces as one). */
function missingTags(source: string, compiled: string) {
  const key = (text: string) => text.replace(/\s+/g, " ");
  const available = new Map<string, number>();
  for (const tag of scanLiquidTags(compiled))
    available.set(key(tag.text), (available.get(key(tag.text)) ?? 0) + 1);
  return scanLiquidTags(source).filter((tag) => {
    const left = available.get(key(tag.text)) ?? 0;
    if (left === 0) return true;
    available.set(key(tag.text), left - 1);
    return false;
  });
}
