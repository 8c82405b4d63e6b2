import type { Liquid, Template } from "liquidjs";
import { replaceTextLinks } from "../domain/sms/short-links.js";
import { DEFAULT_MAX_SEGMENTS, type SmsSegments, smsSegments } from "../domain/sms/sms-segments.js";
import { TailorError } from "../errors.js";
import { readsVariable } from "./email-renderer.js";
import { createEngine } from "./liquid-engine.js";
import { standInShortLink } from "./short-link-token.js";

/** An SMS template as authored: `templates/sms/<name>.liquid`, with an optional front matter. */
export interface SmsTemplate {
  readonly name: string;
  /** The Liquid body (front matter removed). */
  readonly source: string;
  /** Most parts a rendered body may take (front matter `maxSegments: N`). @default 2 */
  readonly maxSegments: number;
}

/** An SMS template that cannot be read, parsed, rendered or is over its length: names the template and the rule. */
export class SmsTemplateError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/;
const SEGMENTS_MAX_ALLOWED = 10;

/**
 * Reads an SMS template's text: an optional front matter between `---` lines holding `maxSegments: N` (1 to
 * 10), then the Liquid body. Throws {@link SmsTemplateError} naming the template for anything else.
 */
export function parseSmsTemplate(name: string, text: string): SmsTemplate {
  const match = FRONT_MATTER.exec(text);
  let maxSegments = DEFAULT_MAX_SEGMENTS;
  if (match !== null) {
    for (const line of (match[1] ?? "").split(/\r?\n/)) {
      if (line.trim() === "") continue;
      const setting = /^maxSegments:\s*(\d+)\s*$/.exec(line.trim());
      const value = Number(setting?.[1]);
      if (setting === null || !Number.isInteger(value) || value < 1 || value > SEGMENTS_MAX_ALLOWED) {
        throw new SmsTemplateError(
          `sms template ${name}: front matter line "${line.trim()}" is not maxSegments: <1 to ${SEGMENTS_MAX_ALLOWED}>`,
        );
      }
      maxSegments = value;
    }
  }
  const source = match === null ? text : text.slice(match[0].length);
  if (source.trim() === "") throw new SmsTemplateError(`sms template ${name}: the body is empty`);
  return { name, source, maxSegments };
}

/** A rendered text: its body and how it goes out. */
export interface RenderedSms {
  /** The text as sent: its links already shortened when a shortener was given. */
  readonly body: string;
  /** Counted on `body`, so on the short links, not the long URLs. */
  readonly segments: SmsSegments;
}

/** Turns the `index`-th http(s) URL of a text into the short link sent instead (see `replaceTextLinks`). */
export type SmsLinkShortener = (url: string, index: number) => string;

/** The outcome of rendering an SMS template. */
export type SmsRenderResult =
  | { readonly ok: true; readonly sms: RenderedSms }
  | { readonly ok: false; readonly error: SmsTemplateError };

/** Blank lines and spaces at the ends cost parts: the body is trimmed and runs of blank lines are made one. */
const tidy = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/**
 * Renders SMS templates with Tailor's Liquid engine (the `text` kind: strict variables and filters, `default`
 * for fallbacks, no HTML escaping), each parsed once. A render over the template's `maxSegments` is refused
 * with the count, so a send never costs more parts than its author allowed.
 */
export class SmsRenderer {
  readonly #engine: Liquid;
  readonly #templates = new Map<string, { template: SmsTemplate; parsed: Template[] }>();

  constructor(templates: readonly SmsTemplate[], engine: Liquid = createEngine("text")) {
    this.#engine = engine;
    for (const template of templates) {
      try {
        this.#templates.set(template.name, { template, parsed: engine.parse(template.source) });
      } catch (error) {
        throw new SmsTemplateError(`sms template ${template.name}: ${messageOf(error)}`, error);
      }
    }
  }

  /** The names of the templates. */
  names(): string[] {
    return [...this.#templates.keys()];
  }

  /** Whether the template's Liquid reads the context variable `name` (`offer`); an unknown template reads nothing. */
  reads(name: string, variable: string): boolean {
    const entry = this.#templates.get(name);
    return entry !== undefined && readsVariable(entry.template.source, variable);
  }

  /**
   * Renders the template for `context`; with `shorten`, every http(s) URL of the text is replaced by the short
   * link it gives before the parts are counted, so the limit holds for what is sent.
   */
  render(name: string, context: object, shorten?: SmsLinkShortener): SmsRenderResult {
    const entry = this.#templates.get(name);
    if (entry === undefined) return fail(`no sms template ${name} (templates/sms/${name}.liquid)`);
    let body: string;
    try {
      body = tidy(String(this.#engine.renderSync(entry.parsed, context)));
    } catch (error) {
      return fail(`sms template ${name}: ${messageOf(error)}`, error);
    }
    if (body === "") return fail(`sms template ${name}: rendered an empty text`);
    if (shorten !== undefined) body = replaceTextLinks(body, shorten);
    const segments = smsSegments(body);
    if (segments.segments > entry.template.maxSegments) {
      return fail(
        `sms template ${name}: ${segments.segments} segments (${segments.encoding}, ${segments.units} ${segments.encoding === "GSM-7" ? "septets" : "code units"}${segments.nonGsm.length > 0 ? `; not GSM-7: ${segments.nonGsm.join(" ")}` : ""}) over its limit of ${entry.template.maxSegments}`,
      );
    }
    return { ok: true, sms: { body, segments } };
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const fail = (message: string, cause?: unknown): SmsRenderResult => ({
  ok: false,
  error: new SmsTemplateError(message, cause),
});

/**
 * The build check: every template rendered against every sample context, its links counted as the short links
 * sent (a stand-in of their length, see `standInShortLink`); resolves the problems (template, sample, rule and
 * count), empty when all fit.
 */
export function checkSmsTemplates(
  renderer: SmsRenderer,
  samples: readonly { readonly name: string; readonly context: object }[],
  shorten: SmsLinkShortener = () => standInShortLink(),
): string[] {
  return renderer.names().flatMap((name) =>
    samples.flatMap((sample) => {
      const out = renderer.render(name, sample.context, shorten);
      return out.ok ? [] : [`${out.error.message} (sample ${sample.name})`];
    }),
  );
}
