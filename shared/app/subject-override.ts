import type { Liquid, Template } from "liquidjs";
import { createEngine } from "../render/liquid-engine.js";
import { liquidErrorMessage } from "../render/liquid-errors.js";
import type { RenderContext } from "../render/render-context.js";

/** Subjects parsed at most: campaign variants carry few, so this only guards against a runaway library. */
const MAX_PARSED = 256;

/** C0 controls but tab (CR and LF among them), and DEL: nothing a header may carry. */
function breaksHeader(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Renders the Liquid subject a campaign variant puts in place of its template's, with the same text engine and
 * context as template subjects (plain text, strict variables, fallbacks through `default`). Each source is
 * parsed once. A failure is a reason, never a throw.
 */
export class SubjectOverrides {
  readonly #engine: Liquid = createEngine("text");
  readonly #parsed = new Map<string, Template[]>();

  render(
    source: string,
    context: RenderContext,
  ): { readonly ok: true; readonly subject: string } | { readonly ok: false; readonly reason: string } {
    try {
      let parsed = this.#parsed.get(source);
      if (parsed === undefined) {
        parsed = this.#engine.parse(source);
        if (this.#parsed.size >= MAX_PARSED) this.#parsed.clear();
        this.#parsed.set(source, parsed);
      }
      const subject = String(this.#engine.renderSync(parsed, context)).trim();
      if (subject === "") return { ok: false, reason: "the variant's subject renders empty" };
      if (breaksHeader(subject)) {
        return {
          ok: false,
          reason:
            "the variant's subject would carry a line break or control character: refused (header injection)",
        };
      }
      return { ok: true, subject };
    } catch (error) {
      return { ok: false, reason: `the variant's subject does not render: ${liquidErrorMessage(error)}` };
    }
  }
}
