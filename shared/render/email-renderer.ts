import type { Liquid, Template } from "liquidjs";
import {
  BASE_VARIANT,
  type CompiledTemplates,
  type CompiledVariant,
  TEMPLATES_FORMAT,
} from "./compiled-templates.js";
import { CopyCatalog, type ResolvedCopy } from "./copy-locales.js";
import { shortenOutputs } from "./fast-outputs.js";
import { createEngine } from "./liquid-engine.js";
import { liquidErrorLine, liquidErrorMessage } from "./liquid-errors.js";
import type { EmailContext, RenderContext } from "./render-context.js";
import { type EmailPart, RenderConfigError, RenderError } from "./render-errors.js";
import { checkLinkSettings, type LinkSettings } from "./signed-links.js";
import { mergeParts, TEXT_PIECE_TAG, type TextSink, textPieceTagClass } from "./single-pass.js";
import { substituteCopy } from "./substitute-copy.js";
import { tidyText } from "./tidy-text.js";
import { tagHtmlLinks, tagTextLinks } from "./tracking-links.js";

/** How the renderer tags links and builds headers. */
export interface RendererSettings {
  /** Where the signed links point (they are never UTM-tagged) and how they are signed. */
  readonly links: LinkSettings;
  /** `utm_source` of tracked links. @default "tailor" */
  readonly utmSource?: string;
  /**
   * Fragments kept per `{% cache %}` block of each parsed template (least recently used dropped first); 0 renders
   * every block for every recipient.
   * @default 512
   */
  readonly fragmentCacheEntries?: number;
}

/** One email to render. */
export interface RenderRequest {
  readonly template: string;
  /** @default "a" (the template itself) */
  readonly variant?: string;
  readonly context: RenderContext;
}

/** A rendered email, ready for the mailer. */
export interface RenderedEmail {
  readonly template: string;
  readonly variant: string;
  /** Plain text, one line. */
  readonly subject: string;
  readonly preheader: string;
  readonly html: string;
  readonly text: string;
  /** `List-Unsubscribe` (the signed link) and `List-Unsubscribe-Post` (RFC 8058 one-click). */
  readonly headers: Readonly<Record<string, string>>;
}

export type RenderResult =
  | { readonly ok: true; readonly email: RenderedEmail }
  | { readonly ok: false; readonly error: RenderError };

interface ParsedVariant {
  readonly subject: Template[];
  readonly preheader: Template[];
  readonly html: Template[];
  readonly text: Template[];
  /** HTML and text in one pass (see `mergeParts`), when the two parts could be merged. */
  readonly merged: Template[] | undefined;
}

const sourceKey = (template: string, variant: string): string => `${template}\u0000${variant}`;

/** Whether a Liquid tag or output of `source` names the root variable `name`. */
export function readsVariable(source: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const root = new RegExp(`(?<![\\w.$-])${escaped}(?![\\w-])`);
  for (const match of source.matchAll(/\{[{%]([\s\S]*?)[%}]\}/g)) {
    // Quoted text inside a tag is not a variable.
    const code = (match[1] ?? "").replace(/"[^"]*"|'[^']*'/g, "");
    // An inline comment (`{% # … %}`) reads nothing.
    if (!/^\s*#/.test(code) && root.test(code)) return true;
  }
  return false;
}

/** A variant as compiled, parsed with its `t` lookups, and parsed per copy locale with its constant copy in. */
interface VariantEntry {
  readonly source: CompiledVariant;
  readonly parsed: ParsedVariant;
  readonly byLocale: Map<string, ParsedVariant>;
}

/** C0 controls but tab (CR and LF among them), and DEL: nothing a header may carry from data. */
function breaksHeader(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Renders compiled templates for one recipient at a time: only Liquid runs, on templates parsed once when the
 * renderer is created. A failure for one recipient is a {@link RenderResult} with a clear reason, never a throw.
 */
export class EmailRenderer {
  readonly #html: Liquid;
  readonly #text: Liquid;
  /** The HTML engine plus the tag that renders the text part's pieces into `#sink`. */
  readonly #merged: Liquid;
  readonly #sink: TextSink = { pieces: [], out: "" };
  readonly #variants = new Map<string, Map<string, VariantEntry>>();
  /** Each variant's Liquid sources, joined, to tell which context variables it reads. */
  readonly #sources = new Map<string, string>();
  readonly #settings: RendererSettings;
  readonly #untracked: readonly string[];
  readonly #copy: CopyCatalog | undefined;

  constructor(compiled: CompiledTemplates, settings: RendererSettings) {
    if (compiled.format !== TEMPLATES_FORMAT) {
      throw new RenderConfigError(
        `compiled templates of format ${compiled.format}; expected ${TEMPLATES_FORMAT}`,
      );
    }
    checkLinkSettings(settings.links);
    this.#settings = settings;
    const cache = settings.fragmentCacheEntries;
    this.#copy = compiled.locales === undefined ? undefined : new CopyCatalog(compiled.locales);
    const engineOptions = {
      ...(cache === undefined ? {} : { fragmentCacheEntries: cache }),
      ...(this.#copy === undefined ? {} : { copy: this.#copy }),
    };
    this.#html = createEngine("html", engineOptions);
    this.#text = createEngine("text", engineOptions);
    this.#merged = createEngine("html", engineOptions);
    this.#merged.registerTag(TEXT_PIECE_TAG, textPieceTagClass(this.#text, this.#sink));
    const { unsubscribeUrl, preferencesUrl, viewInBrowserUrl, confirmUrl } = settings.links;
    this.#untracked = [
      unsubscribeUrl,
      preferencesUrl,
      viewInBrowserUrl,
      ...(confirmUrl === undefined ? [] : [confirmUrl]),
    ];
    for (const template of compiled.templates) {
      const variants = new Map<string, VariantEntry>();
      for (const variant of template.variants) {
        variants.set(variant.id, { source: variant, parsed: this.#parse(variant), byLocale: new Map() });
        this.#sources.set(
          sourceKey(template.name, variant.id),
          [variant.subject, variant.preheader, variant.html, variant.text].join("\n"),
        );
      }
      this.#variants.set(template.name, variants);
    }
  }

  #parse(variant: CompiledVariant): ParsedVariant {
    return {
      subject: this.#text.parse(variant.subject),
      preheader: this.#text.parse(variant.preheader),
      html: this.#html.parse(variant.html),
      text: this.#text.parse(variant.text),
      merged: this.#parseMerged(variant.html, variant.text),
    };
  }

  /**
   * The variant for one copy locale: parsed on its first use in that locale with the locale's constant copy
   * written in (`substituteCopy`), so a recipient's render runs no lookup for it; lookups with values stay.
   */
  #parsedFor(entry: VariantEntry, copy: ResolvedCopy | undefined): ParsedVariant {
    if (copy === undefined) return entry.parsed;
    const known = entry.byLocale.get(copy.copy);
    if (known !== undefined) return known;
    const { source } = entry;
    let parsed = entry.parsed;
    try {
      parsed = this.#parse({
        ...source,
        subject: substituteCopy(source.subject, copy.messages, "text"),
        preheader: substituteCopy(source.preheader, copy.messages, "text"),
        html: substituteCopy(source.html, copy.messages, "html"),
        text: substituteCopy(source.text, copy.messages, "text"),
      });
    } catch {
      // The lookups render the same copy: keep them.
    }
    entry.byLocale.set(copy.copy, parsed);
    return parsed;
  }

  #parseMerged(html: string, text: string): Template[] | undefined {
    const merged = mergeParts(html, text);
    if (merged === undefined) return undefined;
    try {
      this.#sink.pieces = merged.textPieces.map((source) => ({
        source,
        templates: this.#text.parse(source),
      }));
      const template = this.#merged.parse(merged.template);
      shortenOutputs(template);
      return template;
    } catch {
      // Each part parses on its own (the build checked it): keep the two passes.
      return undefined;
    } finally {
      this.#sink.pieces = [];
    }
  }

  /**
   * The raw HTML and text parts in one Liquid pass; `undefined` when it fails, so that the two passes run and
   * name the part and line that fails, exactly as they always did.
   */
  #renderMerged(merged: Template[], context: EmailContext): { html: string; text: string } | undefined {
    this.#sink.out = "";
    try {
      const html = String(this.#merged.renderSync(merged, context));
      return { html, text: this.#sink.out };
    } catch {
      return undefined;
    } finally {
      this.#sink.out = "";
    }
  }

  /**
   * The context with `customer.locale` and `customer.language` set to what the copy is in: unchanged when the
   * customer's language has copy, else the default locale, so dates and prices agree with the words.
   */
  #localise(context: RenderContext): { context: RenderContext; copy: ResolvedCopy | undefined } {
    if (this.#copy === undefined) return { context, copy: undefined };
    const { customer } = context;
    const copy = this.#copy.resolve(customer.locale);
    if (copy.formatting === customer.locale && copy.language === customer.language) return { context, copy };
    return {
      context: { ...context, customer: { ...customer, locale: copy.formatting, language: copy.language } },
      copy,
    };
  }

  /**
   * Whether the variant's Liquid reads the context variable `name` (`content` in `{% for item in content %}` or
   * `{{ content.size }}`, not `content_title` or `item.content`): dispatch chooses and records content items only
   * for emails that show them. An unknown template or variant reads nothing.
   */
  reads(template: string, variant: string, name: string): boolean {
    const source = this.#sources.get(sourceKey(template, variant));
    return source !== undefined && readsVariable(source, name);
  }

  /** Template names, each with its variant ids. */
  templates(): { name: string; variants: string[] }[] {
    return [...this.#variants].map(([name, variants]) => ({ name, variants: [...variants.keys()] }));
  }

  /** Renders one email. Never throws for a template or data problem. */
  render(request: RenderRequest): RenderResult {
    const variantId = request.variant ?? BASE_VARIANT;
    const where = { template: request.template, variant: variantId };
    const entry = this.#variants.get(request.template)?.get(variantId);
    if (entry === undefined) {
      return { ok: false, error: new RenderError("unknown-template", "no such template or variant", where) };
    }
    let part: EmailPart = "subject";
    const { context: localised, copy } = this.#localise(request.context);
    const parsed = this.#parsedFor(entry, copy);
    try {
      const subject = String(this.#text.renderSync(parsed.subject, localised)).trim();
      if (breaksHeader(subject)) {
        return {
          ok: false,
          error: new RenderError(
            "header-injection",
            "the subject would carry a line break or control character from the data: refused (header injection)",
            { ...where, part },
          ),
        };
      }
      part = "preheader";
      const preheader = String(this.#text.renderSync(parsed.preheader, localised))
        .replace(/\s+/g, " ")
        .trim();
      const context: EmailContext = { ...localised, email: { subject, preheader } };
      const tags = {
        source: this.#settings.utmSource ?? "tailor",
        campaign: request.context.campaign.id,
        variant: variantId,
        template: request.template,
      };
      part = "html";
      const both = parsed.merged === undefined ? undefined : this.#renderMerged(parsed.merged, context);
      const html = tagHtmlLinks(
        both?.html ?? String(this.#html.renderSync(parsed.html, context)),
        tags,
        this.#untracked,
      );
      part = "text";
      const text = tagTextLinks(
        tidyText(both?.text ?? String(this.#text.renderSync(parsed.text, context))),
        tags,
        this.#untracked,
      );
      const headers = {
        "List-Unsubscribe": `<${request.context.links.unsubscribe}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      };
      if (breaksHeader(headers["List-Unsubscribe"])) {
        return {
          ok: false,
          error: new RenderError(
            "header-injection",
            "the List-Unsubscribe link holds a line break: refused",
            where,
          ),
        };
      }
      return { ok: true, email: { ...where, subject, preheader, html, text, headers } };
    } catch (error) {
      const line = liquidErrorLine(error);
      const at = line === undefined ? part : `${part}, line ${line} of the compiled ${part}`;
      const message = `${liquidErrorMessage(error)} (${at})`;
      return { ok: false, error: new RenderError("template", message, { ...where, part }, error) };
    }
  }

  /**
   * Renders many emails; each failure is counted and kept with its reason, and the others are still rendered.
   */
  renderBatch(requests: readonly RenderRequest[]): {
    readonly results: readonly RenderResult[];
    readonly rendered: number;
    readonly failed: number;
  } {
    const results = requests.map((request) => this.render(request));
    const failed = results.filter((result) => !result.ok).length;
    return { results, rendered: results.length - failed, failed };
  }
}
