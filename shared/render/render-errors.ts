import { TailorError } from "../errors.js";

/** One problem found while building templates, located in a source file. */
export interface TemplateProblem {
  /** Template (folder name under `templates/emails/`). */
  readonly template: string;
  /** Source file, relative to the templates root (e.g. `blocks/hero.mjml`). */
  readonly file: string;
  /** 1-based line in `file`, when known. */
  readonly line?: number;
  /** What is wrong, in words. */
  readonly message: string;
}

/** `template: file:line: message`, as the build lists problems and warnings. */
export function describeProblem(problem: TemplateProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${problem.template}: ${where}: ${problem.message}`;
}

/**
 * The templates cannot be built: every problem found is listed (template, file, line, what), so an author
 * fixes them all in one go. Never retryable: the content is wrong.
 */
export class TemplateBuildError extends TailorError {
  readonly problems: readonly TemplateProblem[];

  constructor(problems: readonly TemplateProblem[], cause?: unknown) {
    const lines = problems.map((problem) => `  - ${describeProblem(problem)}`);
    super(`templates failed to build (${problems.length} problem(s)):\n${lines.join("\n")}`, {
      retryable: false,
      cause,
    });
    this.problems = problems;
  }
}

/** The parts of an email, in the order they are rendered. */
export type EmailPart = "subject" | "preheader" | "html" | "text";

/** Why one recipient's email could not be rendered. */
export type RenderFailureKind =
  /** The template threw for this recipient's data (an undefined variable, a bad filter argument…). */
  | "template"
  /** A header (the subject, a `List-Unsubscribe` URL) would have carried CR or LF from the data. */
  | "header-injection"
  /** No template or variant by that name. */
  | "unknown-template";

/** One recipient's email failed to render: the reason is clear, the batch goes on. */
export class RenderError extends TailorError {
  readonly kind: RenderFailureKind;
  readonly template: string;
  readonly variant: string;
  /** The part that failed, when one did. */
  readonly part: EmailPart | undefined;

  constructor(
    kind: RenderFailureKind,
    message: string,
    where: { template: string; variant: string; part?: EmailPart },
    cause?: unknown,
  ) {
    super(`${where.template}/${where.variant}: ${message}`, { retryable: false, cause });
    this.kind = kind;
    this.template = where.template;
    this.variant = where.variant;
    this.part = where.part;
  }
}

/** A configuration mistake (a missing secret, a bad base URL): found when the renderer is created. */
export class RenderConfigError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
