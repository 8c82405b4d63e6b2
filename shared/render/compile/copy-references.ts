import { lineAt, scanLiquidTags } from "../liquid-tags.js";
import { TRANSLATE_FILTER } from "../translate-filter.js";
import { type SourceIssue, splitFilters } from "./static-checks.js";

/** A `"key" | t: name: …` of a source: the key, the names of the values passed, the line. */
export interface CopyReference {
  readonly key: string;
  readonly arguments: readonly string[];
  readonly line: number;
}

const FILTER = new RegExp(`^${TRANSLATE_FILTER}\\b\\s*(?::(.*))?$`, "s");
const KEY_BEFORE = /(["'])([^"']*)\1\s*$/;
const ARGUMENT_NAME = /^\s*([a-z_]\w*)\s*:/i;

/**
 * Every `t` lookup of `source`, and the lookups the build cannot check: the key must be a string literal right
 * before `| t` (`{{ "cart.title" | t }}`, `{% assign x = "cart.title" | t %}`), and values are passed by name.
 */
export function copyReferences(source: string): { references: CopyReference[]; issues: SourceIssue[] } {
  const references: CopyReference[] = [];
  const issues: SourceIssue[] = [];
  for (const tag of scanLiquidTags(source)) {
    const parts = splitFilters(tag.body);
    parts.forEach((part, index) => {
      const filter = index === 0 ? null : FILTER.exec(part);
      if (filter === null) return;
      const line = lineAt(source, tag.start);
      const key = index === 1 ? KEY_BEFORE.exec(parts[0] ?? "")?.[2] : undefined;
      if (key === undefined) {
        issues.push({
          line,
          message: `${tag.text}: "${TRANSLATE_FILTER}" takes a key written as text right before it, e.g. {{ "cart.title" | t }}`,
        });
        return;
      }
      const args = (filter[1] ?? "").replace(/"[^"]*"|'[^']*'/g, '""');
      const pieces = args.trim() === "" ? [] : args.split(",");
      const names = pieces.flatMap((piece) => {
        const name = ARGUMENT_NAME.exec(piece)?.[1];
        return name === undefined ? [] : [name];
      });
      if (names.length < pieces.length) {
        issues.push({
          line,
          message: `${tag.text}: pass values to "${TRANSLATE_FILTER}" by name, e.g. t: name: customer.first_name`,
        });
      }
      references.push({ key, arguments: names, line });
    });
  }
  return { references, issues };
}
