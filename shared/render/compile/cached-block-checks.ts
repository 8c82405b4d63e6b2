import { analyzeSync, Tag, type Template, toValueSync, type Variable } from "liquidjs";
import { CacheTag } from "../cache-tag.js";
import { FILTER_SCOPE_READS } from "../liquid-filters.js";

/** A `{% cache %}` block that could replay one recipient's output to another, at a line of the parsed source. */
export interface CachedBlockIssue {
  readonly line: number;
  readonly message: string;
}

/**
 * Tags a cached body may hold: they only read the scope and write to the output. `assign`, `capture`,
 * `increment`, `decrement` and `cycle` change state that a replayed fragment would not change; `break` and
 * `continue` would leak out of it; `include`/`render` read other files.
 */
const PURE_TAGS = new Set(["if", "unless", "case", "for", "comment", "raw", "#", "echo", "in_segment"]);

const SCOPE_READING_FILTER = new RegExp(`\\|\\s*(${Object.keys(FILTER_SCOPE_READS).join("|")})\\b`, "g");

function childrenOf(template: Template): Template[] {
  if (template.children === undefined) return [];
  const children: unknown = toValueSync(template.children(true, true));
  return Array.isArray(children) ? children.filter(isTemplate) : [];
}

function isTemplate(value: unknown): value is Template {
  return typeof value === "object" && value !== null && "token" in value && "render" in value;
}

function lineOf(template: Template): number {
  return template.token.getPosition()[0] ?? 1;
}

/** The leading property names of a variable (`row[0].name` → `row`, then stops at the index). */
function literalPath(variable: Variable): string[] {
  const path: string[] = [];
  for (const segment of variable.segments) {
    if (typeof segment !== "string") break;
    path.push(segment);
  }
  return path;
}

function covers(key: readonly string[], path: readonly string[]): boolean {
  return key.length <= path.length && key.every((segment, i) => segment === path[i]);
}

function checkBody(tag: CacheTag): CachedBlockIssue[] {
  const issues: CachedBlockIssue[] = [];
  const keys = tag.keys.map((key) => key.path);
  const keyList = keys.map((key) => key.join(".")).join(", ");
  const covered = (path: readonly string[]) => keys.some((key) => covers(key, path));

  const visit = (template: Template) => {
    if (template instanceof CacheTag) {
      issues.push({ line: lineOf(template), message: "{% cache %} blocks do not nest" });
      return;
    }
    if (template instanceof Tag) {
      if (!PURE_TAGS.has(template.name)) {
        issues.push({
          line: lineOf(template),
          message: `{% ${template.name} %} is not allowed in a {% cache %} block (a replayed fragment would skip it): move it before the block`,
        });
      } else if (template.name === "for" && /\boffset\s*:\s*continue\b/.test(template.token.getText())) {
        issues.push({
          line: lineOf(template),
          message: "{% for … offset:continue %} is not allowed in a {% cache %} block",
        });
      }
    }
    for (const child of childrenOf(template)) visit(child);
  };
  for (const template of tag.body) visit(template);

  const seen = new Set<string>();
  for (const variables of Object.values(analyzeSync(tag.body).globals)) {
    for (const variable of variables) {
      const name = variable.toString();
      if (covered(literalPath(variable)) || seen.has(name)) continue;
      seen.add(name);
      issues.push({
        line: variable.location.row,
        message: `{% cache ${keyList} %} reads ${name}, which its keys do not cover: add it to the keys (or a path above it), or move it out of the block`,
      });
    }
  }
  for (const match of tag.bodySource.matchAll(SCOPE_READING_FILTER)) {
    const filter = match[1] ?? "";
    for (const read of FILTER_SCOPE_READS[filter] ?? []) {
      if (covered(read.split(".")) || seen.has(read)) continue;
      seen.add(read);
      issues.push({
        line: lineOf(tag),
        message: `{% cache ${keyList} %} uses the ${filter} helper, which reads ${read}: add ${read} to the keys`,
      });
    }
  }
  return issues;
}

/**
 * Checks every `{% cache %}` block of a parsed template: its body may read only values its keys cover (a key
 * `product` covers `product.name`; helpers count for the scope values they read, e.g. `money` for
 * `customer.locale` and `customer.currency`) and hold only tags without side effects. Then equal keys mean equal
 * output, and a fragment rendered for one recipient is right for every recipient it is replayed to.
 */
export function checkCachedBlocks(templates: readonly Template[]): CachedBlockIssue[] {
  const issues: CachedBlockIssue[] = [];
  const visit = (template: Template) => {
    if (template instanceof CacheTag) {
      issues.push(...checkBody(template));
      return;
    }
    for (const child of childrenOf(template)) visit(child);
  };
  for (const template of templates) visit(template);
  return issues;
}
