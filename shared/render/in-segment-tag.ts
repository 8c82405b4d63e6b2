import {
  type Context,
  type Emitter,
  type Liquid,
  type Parser,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  Value,
} from "liquidjs";

const ID = /^\s*(?:"([^"]+)"|'([^']+)')\s*(?:,|$)/;

/** The segment ids of `{% in_segment "a", "b" %}`: quoted literals separated by commas. */
export function parseSegmentIds(args: string): string[] {
  const ids: string[] = [];
  let rest = args.trim();
  while (rest !== "") {
    const match = ID.exec(rest);
    const id = match?.[1] ?? match?.[2];
    if (match === null || id === undefined) {
      throw new Error(
        `in_segment: expected quoted segment ids separated by commas, got ${JSON.stringify(args)}`,
      );
    }
    ids.push(id);
    rest = rest.slice(match[0].length).trim();
  }
  if (ids.length === 0)
    throw new Error('in_segment: name at least one segment, e.g. {% in_segment "champions" %}');
  return ids;
}

/**
 * `{% in_segment "champions", "loyal" %}…{% else %}…{% endin_segment %}`: renders the first branch when the
 * customer (`segments`) is in any of the named segments, else the `else` branch.
 */
export class InSegmentTag extends Tag {
  readonly ids: readonly string[];
  readonly #then: Template[] = [];
  readonly #otherwise: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    this.ids = parseSegmentIds(token.args);
    let branch = this.#then;
    let closed = false;
    const stream = parser.parseStream(remainTokens);
    stream
      .on("tag:else", () => {
        branch = this.#otherwise;
      })
      .on("tag:endin_segment", () => {
        closed = true;
        stream.stop();
      })
      .on("template", (template: Template) => {
        branch.push(template);
      })
      .on("end", () => {
        if (!closed) throw new Error(`tag ${token.getText()} not closed: add {% endin_segment %}`);
      })
      .start();
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const segments: unknown = ctx.getSync(["segments"]);
    const member = Array.isArray(segments) && this.ids.some((id) => segments.includes(id));
    yield this.liquid.renderer.renderTemplates(member ? this.#then : this.#otherwise, ctx, emitter);
  }

  /** Both branches, for static analysis (e.g. the checks of a `{% cache %}` block). */
  // biome-ignore lint/correctness/useYield: LiquidJS drives children() as a generator (it may load partials)
  *children(): Generator<unknown, Template[], unknown> {
    return [...this.#then, ...this.#otherwise];
  }

  /** The tag reads `segments`. */
  *arguments(): Generator<Value, void, unknown> {
    yield new Value("segments", this.liquid);
  }
}
