import { compile, type DomNode, type FormatCallback } from "html-to-text";

function insideLink(elem: DomNode): boolean {
  for (let node = elem.parent; node; node = node.parent) if (node.name === "a") return true;
  return false;
}

/** A linked image reads as its alt text (the link's words); a picture that links nowhere is decoration here. */
const imageAlt: FormatCallback = (elem, _walk, builder) => {
  const alt: unknown = elem.attribs?.alt;
  if (typeof alt === "string" && alt.trim() !== "" && insideLink(elem)) builder.addInline(alt);
};

const convert = compile({
  // Liquid tags must stay whole: never wrap lines, never upper-case headings.
  wordwrap: false,
  formatters: { imageAlt },
  selectors: [
    // The hidden preheader belongs to the inbox preview, not to the text part.
    { selector: "div[style^='display:none']", format: "skip" },
    { selector: "img", format: "imageAlt" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "h5", options: { uppercase: false } },
    { selector: "h6", options: { uppercase: false } },
    { selector: "a", options: { linkBrackets: ["[", "]"] } },
    // Table rows (an <mj-table> of cart lines) read one per line.
    { selector: "tr", format: "block" },
  ],
});

/**
 * The plain-text part as a Liquid template, made from the compiled HTML-with-Liquid once at build time (with
 * html-to-text): per recipient only Liquid runs on it, like on the HTML. Images become their alt text, links
 * `text [url]`.
 */
export function textTemplateOf(html: string): string {
  return convert(html);
}
