import { type Context, type Emitter, Output, type Template, toValue } from "liquidjs";

/** `{{ a.b.c | … }}`: a plain variable path, then filters or nothing. */
const PATH_OUTPUT = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:\||$)/;
/** Words LiquidJS reads as literals, not variables. */
const LITERALS = new Set(["true", "false", "nil", "null", "empty", "blank"]);

/** A tag's child templates (LiquidJS's static-analysis API; the shared control tags load no partials). */
function childrenOf(template: Template): Template[] {
  if (template.children === undefined) return [];
  const walk = template.children(false, true);
  let step = walk.next();
  while (step.done !== true) step = walk.next();
  return step.value;
}

/**
 * Gives each output of `templates` (and of their tags' children) whose value is a variable path a shorter way
 * to its value: one `Context.getSync` instead of LiquidJS's chain of generators, then the output's own filters
 * (`escape` included) as before. Only a string or number takes the short way; anything else, and any lookup
 * that fails, runs the output as LiquidJS always does, so output and errors stay the same.
 */
export function shortenOutputs(templates: readonly Template[]): void {
  for (const template of templates) {
    if (template instanceof Output) shorten(template);
    else shortenOutputs(childrenOf(template));
  }
}

function shorten(output: Output): void {
  const path = PATH_OUTPUT.exec(output.token.content)?.[1]?.split(".");
  if (path === undefined || LITERALS.has(path[0] ?? "")) return;
  const original = output.render;
  const filters = output.value.filters;
  output.render = function* (ctx: Context, emitter: Emitter): IterableIterator<unknown> {
    let value: unknown;
    try {
      value = ctx.getSync(path);
    } catch {
      // LiquidJS's own way raises its own error, naming the variable and the position.
      value = undefined;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      yield* original.call(output, ctx, emitter);
      return;
    }
    let out: unknown = value;
    for (const filter of filters) out = yield filter.render(out, ctx);
    emitter.write(toValue(out));
  };
}
