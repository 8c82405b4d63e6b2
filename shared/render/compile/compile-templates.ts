import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Liquid } from "liquidjs";
import { loadSmsTemplates } from "#shared/templates/sms-files.js";
import { type CompiledTemplate, type CompiledTemplates, TEMPLATES_FORMAT } from "../compiled-templates.js";
import { CopyCatalog } from "../copy-locales.js";
import { EmailRenderer, type RendererSettings } from "../email-renderer.js";
import { createEngine } from "../liquid-engine.js";
import { liquidErrorLine, liquidErrorMessage } from "../liquid-errors.js";
import { PREVIEW_RENDERER } from "../preview-settings.js";
import type { EmailContext, RenderContext } from "../render-context.js";
import { type RenderError, TemplateBuildError, type TemplateProblem } from "../render-errors.js";
import { checkSmsTemplates, SmsRenderer } from "../sms-templates.js";
import { compileTemplate, type VariantBuild } from "./compile-template.js";
import { type CopyUse, checkCopy } from "./copy-checks.js";
import { copyReferences } from "./copy-references.js";
import { originOf } from "./expand-includes.js";
import { readLocaleSources } from "./locale-files.js";

/** A sample recipient the build renders every template for. */
export interface SampleContext {
  readonly name: string;
  readonly context: RenderContext;
}

/** What the build checks besides the files themselves. */
export interface CompileOptions {
  /**
   * Every template and variant is rendered for each sample with strict variables: a merge tag without a
   * fallback that a sample lacks fails the build, naming template, file, line and variable.
   */
  readonly samples?: readonly SampleContext[];
  /** Segment ids that exist: `in_segment` naming another fails the build. */
  readonly knownSegments?: readonly string[];
  /** Settings for the sample renders. @default the preview settings */
  readonly renderer?: RendererSettings;
  /**
   * Told of what is worth fixing but does not fail the build (a translation key no template uses).
   * @default ignored
   */
  readonly onWarning?: (warning: TemplateProblem) => void;
}

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Compiles every `emails/<name>/` under `root` (the `templates/` folder): MJML to HTML once, Liquid kept and
 * checked, the text part made, then each template rendered for every sample. Throws {@link TemplateBuildError}
 * listing every problem found.
 */
export async function compileTemplates(
  root: string,
  options: CompileOptions = {},
): Promise<CompiledTemplates> {
  const emails = path.join(root, "emails");
  if (!existsSync(emails)) {
    throw new TemplateBuildError([{ template: "*", file: "emails", message: `no emails folder in ${root}` }]);
  }
  const names = readdirSync(emails, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const html = createEngine("html");
  const settings = {
    html,
    text: createEngine("text"),
    ...(options.knownSegments === undefined ? {} : { knownSegments: new Set(options.knownSegments) }),
  };
  const problems: TemplateProblem[] = [];
  const templates: CompiledTemplate[] = [];
  const builds = new Map<string, VariantBuild[]>();
  for (const name of names) {
    if (!TEMPLATE_NAME.test(name)) {
      problems.push({
        template: name,
        file: `emails/${name}`,
        message: "template names are lower-case letters, digits and dashes",
      });
      continue;
    }
    const compiled = await compileTemplate(root, name, settings);
    problems.push(...compiled.problems);
    if (compiled.problems.length === 0) {
      templates.push({ name, variants: compiled.builds.map((build) => build.compiled) });
      builds.set(name, compiled.builds);
    }
  }
  if (problems.length > 0) throw new TemplateBuildError(problems);
  const copy = checkCopy(readLocaleSources(root, [...builds.keys()], problems), copyUses(builds, problems));
  for (const warning of copy.warnings) options.onWarning?.(warning);
  problems.push(...copy.problems);
  if (problems.length > 0) throw new TemplateBuildError(problems);
  const sms = loadSmsTemplates(root);
  const result: CompiledTemplates = {
    format: TEMPLATES_FORMAT,
    templates,
    ...(copy.locales === undefined ? {} : { locales: copy.locales }),
    ...(sms.length === 0 ? {} : { sms }),
  };
  // Errors of the sample renders are located by rendering the source again, with the same copy.
  const located =
    copy.locales === undefined ? html : createEngine("html", { copy: new CopyCatalog(copy.locales) });
  const samples = options.samples ?? [];
  if (samples.length > 0) {
    for (const message of checkSmsTemplates(new SmsRenderer(sms), samples)) {
      problems.push({ template: "sms", file: "sms", message });
    }
    const renderer = new EmailRenderer(result, options.renderer ?? PREVIEW_RENDERER);
    for (const [name, variants] of builds) {
      for (const build of variants) {
        for (const sample of samples) {
          const rendered = renderer.render({
            template: name,
            variant: build.compiled.id,
            context: sample.context,
          });
          if (!rendered.ok) problems.push(locate(rendered.error, build, sample, located));
        }
      }
    }
  }
  if (problems.length > 0) throw new TemplateBuildError(problems);
  return result;
}

/** Every `t` lookup of every variant, located in its source file (each file and line once). */
function copyUses(builds: ReadonlyMap<string, VariantBuild[]>, problems: TemplateProblem[]): CopyUse[] {
  const uses = new Map<string, CopyUse>();
  const add = (template: string, source: string, where: (line: number) => { file: string; line: number }) => {
    const found = copyReferences(source);
    for (const issue of found.issues)
      problems.push({ template, ...where(issue.line), message: issue.message });
    for (const ref of found.references) {
      const use = { template, ...where(ref.line), key: ref.key, arguments: ref.arguments };
      uses.set(`${template}\0${use.file}\0${use.line}\0${ref.key}`, use);
    }
  };
  for (const [template, variants] of builds) {
    for (const build of variants) {
      add(template, build.compiled.subject, () => ({ file: build.subjectFile, line: 1 }));
      add(template, build.compiled.preheader, () => ({ file: build.preheaderFile, line: 1 }));
      add(template, build.source.text, (line) => originOf(build.source, line) ?? { file: template, line });
    }
  }
  return [...uses.values()];
}

/** Points a sample's render failure at the source line: the subject or preheader file, or the layout's line. */
function locate(
  error: RenderError,
  build: VariantBuild,
  sample: SampleContext,
  html: Liquid,
): TemplateProblem {
  const template = error.template;
  const cause = error.cause;
  const reason = `${describe(cause ?? error)} (sample "${sample.name}", variant ${build.compiled.id})`;
  if (error.part === "subject" || error.part === "preheader") {
    const file = error.part === "subject" ? build.subjectFile : build.preheaderFile;
    return { template, file, line: 1, message: reason };
  }
  // Rendering the prepared MJML source runs the same Liquid in source order, so its error has a source line.
  const context: EmailContext = { ...sample.context, email: { subject: "", preheader: "" } };
  try {
    html.renderSync(html.parse(build.source.text), context);
  } catch (sourceError) {
    const line = liquidErrorLine(sourceError);
    const origin = line === undefined ? undefined : originOf(build.source, line);
    if (origin !== undefined) {
      return {
        template,
        file: origin.file,
        line: origin.line,
        message: `${describe(sourceError)} (sample "${sample.name}", variant ${build.compiled.id})`,
      };
    }
  }
  return {
    template,
    file: build.source.origins[0]?.file ?? template,
    message: `${error.message} (sample "${sample.name}")`,
  };
}

function describe(error: unknown): string {
  const message = liquidErrorMessage(error);
  const variable = /^undefined variable: (.+)$/.exec(message)?.[1];
  return variable === undefined
    ? message
    : `undefined variable ${variable}: give it a fallback ({{ ${variable} | default: "…" }}) or test it with {% if %}`;
}
