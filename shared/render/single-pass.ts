import {
  type Context,
  type Emitter,
  type Liquid,
  type Parser,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
} from "liquidjs";
import { type LiquidTag, scanLiquidTags } from "./liquid-tags.js";

/**
 * Tags the HTML and text parts may share: pure control flow and `assign` (the same in both parts, since the text
 * part is made from the HTML). Any other tag (`capture`, `cycle`, `raw`, `comment`, …) keeps the two passes.
 */
const SHARED_TAGS = new Set([
  "assign",
  "if",
  "elsif",
  "else",
  "endif",
  "unless",
  "endunless",
  "case",
  "when",
  "endcase",
  "for",
  "endfor",
  "break",
  "continue",
  "in_segment",
  "endin_segment",
]);

/** The tag that, in a merged template, renders the next piece of the text part. Never shared, so never authored. */
export const TEXT_PIECE_TAG = "tailor_text_piece";

/** A part cut at its shared control tags: `pieces` has one more entry than `separators`. */
interface CutPart {
  readonly separators: readonly LiquidTag[];
  readonly pieces: readonly string[];
}

/** Whitespace control (`{%-`, `-}}`…) would trim across a cut: such parts keep the two passes. */
const TRIMS = /^\{[{%]-|-[%}]\}$/;

/** Cuts `source` at its control tags; a `{% cache %}` block stays whole inside a piece. */
function cut(source: string): CutPart | undefined {
  const separators: LiquidTag[] = [];
  const pieces: string[] = [];
  let from = 0;
  let cacheDepth = 0;
  for (const tag of scanLiquidTags(source)) {
    if (TRIMS.test(tag.text)) return undefined;
    if (tag.kind === "output") continue;
    if (tag.name === "cache") cacheDepth++;
    else if (tag.name === "endcache") cacheDepth--;
    else if (cacheDepth === 0) {
      const comment = tag.name === "" && tag.body.startsWith("#");
      if (!comment && !SHARED_TAGS.has(tag.name)) return undefined;
      separators.push(tag);
      pieces.push(source.slice(from, tag.start));
      from = tag.end;
    }
    if (cacheDepth < 0) return undefined;
  }
  if (cacheDepth !== 0) return undefined;
  pieces.push(source.slice(from));
  return { separators, pieces };
}

/** A template that renders the HTML and, into a side buffer, the text part in one pass over their control flow. */
export interface MergedParts {
  /** The HTML with a {@link TEXT_PIECE_TAG} before each shared control tag and at the end. */
  readonly template: string;
  /** The text part's pieces, each rendered where the merged template names its index. */
  readonly textPieces: readonly string[];
}

/**
 * Merges the compiled HTML and text part of a variant when their control tags are the same, in the same order
 * (the text part is made from the HTML, so they usually are): then one Liquid pass evaluates every `if`, `case`,
 * `for` and `assign` once for both parts, and each part's output is exactly what its own pass would give.
 * `undefined` when they cannot be merged safely.
 */
export function mergeParts(html: string, text: string): MergedParts | undefined {
  const htmlCut = cut(html);
  const textCut = cut(text);
  if (htmlCut === undefined || textCut === undefined) return undefined;
  if (htmlCut.separators.length !== textCut.separators.length) return undefined;
  const same = (a: LiquidTag, b: LiquidTag) => a.text.replace(/\s+/g, " ") === b.text.replace(/\s+/g, " ");
  let template = "";
  for (let i = 0; i < htmlCut.pieces.length; i++) {
    const separator = htmlCut.separators[i];
    const textSeparator = textCut.separators[i];
    if (separator !== undefined && (textSeparator === undefined || !same(separator, textSeparator))) {
      return undefined;
    }
    template += htmlCut.pieces[i] ?? "";
    if (textCut.pieces[i] !== "") template += `{% ${TEXT_PIECE_TAG} ${i} %}`;
    template += separator?.text ?? "";
  }
  return { template, textPieces: textCut.pieces };
}

/** One piece of the text part: its source, and its templates as the text engine parsed them. */
export interface TextPiece {
  readonly source: string;
  readonly templates: Template[];
}

/** Where the text pieces of the template being parsed come from, and where the text of a render goes. */
export interface TextSink {
  /** The text pieces of the merged template being parsed now. */
  pieces: readonly TextPiece[];
  /** The text part rendered so far. */
  out: string;
}

/** The {@link TEXT_PIECE_TAG} class for an engine: renders text piece `i` with the text engine into `sink.out`. */
export function textPieceTagClass(text: Liquid, sink: TextSink) {
  return class TextPieceTag extends Tag {
    readonly piece: Template[];
    /** The piece itself when it holds no Liquid (most do): written as is, as LiquidJS would write it. */
    readonly literal: string | undefined;

    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, _parser: Parser) {
      super(token, remainTokens, liquid);
      const piece = sink.pieces[Number(token.args.trim())];
      if (piece === undefined) throw new Error(`${TEXT_PIECE_TAG}: no text piece ${token.args}`);
      this.piece = piece.templates;
      const liquidFree = !piece.source.includes("{{") && !piece.source.includes("{%");
      this.literal = liquidFree ? piece.source : undefined;
    }

    render(ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> | undefined {
      if (this.literal !== undefined) {
        sink.out += this.literal;
        return undefined;
      }
      return this.renderPiece(ctx);
    }

    *renderPiece(ctx: Context): Generator<unknown, void, unknown> {
      const output: unknown = yield text.renderer.renderTemplates(this.piece, ctx);
      sink.out += typeof output === "string" ? output : String(output);
    }

    // biome-ignore lint/correctness/useYield: LiquidJS drives children() as a generator (it may load partials)
    *children(): Generator<unknown, Template[], unknown> {
      return this.piece;
    }
  };
}
