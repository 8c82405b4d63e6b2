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
import { fragmentKey } from "./fragment-key.js";

/** Fragments kept per `{% cache %}` tag of a parsed template, least recently used dropped first. */
export const DEFAULT_FRAGMENT_CACHE_ENTRIES = 512;

const PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/** One key of a `{% cache %}` tag: a variable path such as `customer.locale`. */
export interface CacheKey {
  readonly path: readonly string[];
  readonly value: Value;
}

/** The key paths of `{% cache product, customer.locale %}`: variable paths separated by commas. */
export function parseCacheKeys(args: string): string[][] {
  const paths = args.split(",").map((key) => key.trim());
  if (args.trim() === "" || paths.some((key) => !PATH.test(key))) {
    throw new Error(
      `cache: expected variable paths separated by commas (e.g. {% cache product, customer.locale %}), got ${JSON.stringify(args)}`,
    );
  }
  return paths.map((key) => key.split("."));
}

/**
 * `{% cache product, customer.locale, customer.currency %}…{% endcache %}`: renders its body once per distinct
 * value of the keys (compared as plain data, see `fragmentKey`) and replays the output for equal keys, keeping
 * the most recently used fragments of this tag (a bounded LRU per parsed template). The build proves a cached
 * body reads nothing but its keys and has no side effect (`checkCachedBlocks`); a failed render is never kept,
 * so an error is raised for every recipient it concerns.
 */
export class CacheTag extends Tag {
  readonly keys: readonly CacheKey[];
  readonly body: Template[] = [];
  /** The body's source text, between `{% cache … %}` and `{% endcache %}`. */
  readonly bodySource: string;
  readonly #entries = new Map<string, string>();
  readonly #limit: number;

  constructor(
    token: TagToken,
    remainTokens: TopLevelToken[],
    liquid: Liquid,
    parser: Parser,
    limit = DEFAULT_FRAGMENT_CACHE_ENTRIES,
  ) {
    super(token, remainTokens, liquid);
    this.#limit = limit;
    this.keys = parseCacheKeys(token.args).map((path) => ({
      path,
      value: new Value(path.join("."), liquid),
    }));
    let end: number | undefined;
    const stream = parser.parseStream(remainTokens);
    stream
      .on("tag:endcache", (close: TagToken) => {
        end = close.begin;
        stream.stop();
      })
      .on("template", (template: Template) => {
        this.body.push(template);
      })
      .on("end", () => {
        throw new Error(`tag ${token.getText()} not closed: add {% endcache %}`);
      })
      .start();
    this.bodySource = token.input.slice(token.end, end);
  }

  /** Fragments held now. */
  get size(): number {
    return this.#entries.size;
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const values: unknown[] = [];
    for (const key of this.keys) {
      let value: unknown;
      try {
        // The same lookup as the Value's, without its layers of generators: keys are plain paths.
        value = ctx.getSync([...key.path]);
      } catch {
        // Raise LiquidJS's own error, which names the variable and the position.
        value = yield key.value.value(ctx, false);
      }
      values.push(value);
    }
    const key = this.#limit > 0 ? fragmentKey(values) : undefined;
    const cached = key === undefined ? undefined : this.#entries.get(key);
    if (key !== undefined && cached !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      emitter.write(cached);
      return;
    }
    const output: unknown = yield this.liquid.renderer.renderTemplates(this.body, ctx);
    const fragment = typeof output === "string" ? output : String(output);
    if (key !== undefined) {
      if (this.#entries.size >= this.#limit) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) this.#entries.delete(oldest.value);
      }
      this.#entries.set(key, fragment);
    }
    emitter.write(fragment);
  }

  // biome-ignore lint/correctness/useYield: LiquidJS drives children() as a generator (it may load partials)
  *children(): Generator<unknown, Template[], unknown> {
    return this.body;
  }

  *arguments(): Generator<Value, void, unknown> {
    for (const key of this.keys) yield key.value;
  }
}

/** The `cache` tag class for an engine, keeping at most `limit` fragments per tag (0: no caching). */
export function cacheTagClass(limit: number) {
  return class extends CacheTag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
      super(token, remainTokens, liquid, parser, limit);
    }
  };
}
