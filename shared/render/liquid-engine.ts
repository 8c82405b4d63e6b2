import { Liquid } from "liquidjs";
import { cacheTagClass, DEFAULT_FRAGMENT_CACHE_ENTRIES } from "./cache-tag.js";
import type { CopyCatalog } from "./copy-locales.js";
import { InSegmentTag } from "./in-segment-tag.js";
import { date, inGroupsOf, inSegment, money, pluralize } from "./liquid-filters.js";
import { TRANSLATE_FILTER, translateFilter } from "./translate-filter.js";

/** How an engine's output is escaped: `html` for the HTML part, `text` for the subject, preheader and text part. */
export type EngineKind = "html" | "text";

/** Engine settings besides its kind. */
export interface EngineOptions {
  /**
   * Fragments kept per `{% cache %}` tag of each parsed template; 0 renders every cached block every time.
   * @default 512
   */
  readonly fragmentCacheEntries?: number;
  /** The translated copy the `t` filter looks keys up in. @default none: every `t` throws */
  readonly copy?: CopyCatalog;
}

/**
 * A LiquidJS engine with Tailor's settings and helpers. Both kinds are strict: an undefined variable or filter
 * throws (so a merge tag without a fallback fails the build against the sample profiles), except in `if`
 * conditions and as the input of `default` (`lenientIf`), which is how fallbacks are written. `html` escapes
 * every output (`outputEscape: "escape"`); only the built-in `raw` filter opts out, and the build allows it on
 * template-authored text only. Scope lookups see own properties only, never prototypes. `{% cache %}` replays
 * a block's output for equal keys (the build checks the block reads nothing else).
 */
export function createEngine(kind: EngineKind, options: EngineOptions = {}): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    outputEscape: kind === "html" ? "escape" : undefined,
    // Templates come from the build, never from a file system at render time.
    templates: {},
  });
  engine.registerFilter("money", money);
  engine.registerFilter("date", date);
  engine.registerFilter("pluralize", pluralize);
  engine.registerFilter("in_segment", inSegment);
  engine.registerFilter("in_groups_of", inGroupsOf);
  engine.registerFilter(TRANSLATE_FILTER, translateFilter(options.copy));
  engine.registerTag("in_segment", InSegmentTag);
  engine.registerTag("cache", cacheTagClass(options.fragmentCacheEntries ?? DEFAULT_FRAGMENT_CACHE_ENTRIES));
  return engine;
}
