import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where a line of the expanded source came from. */
export interface LineOrigin {
  /** File relative to the templates root, with `/` separators. */
  readonly file: string;
  /** 1-based line in that file. */
  readonly line: number;
}

/** A layout with its `<mj-include>`s replaced by the blocks they name, and where each line came from. */
export interface ExpandedSource {
  readonly text: string;
  /** `origins[i]` is the origin of line `i + 1` of `text`. */
  readonly origins: readonly LineOrigin[];
}

/** Something wrong with an include, located in the file that holds it. */
export interface IncludeProblem extends LineOrigin {
  readonly message: string;
}

const INCLUDE = /<mj-include\b([^>]*)\/?>(?:\s*<\/mj-include>)?/;
const PATH_ATTR = /\bpath\s*=\s*(?:"([^"]*)"|'([^']*)')/;
const MAX_DEPTH = 8;

/**
 * Expands `<mj-include path="…" />` in `file` (relative to `root`): the path is relative to the including file,
 * as in MJML, `.mjml` is added when missing, and it must stay inside `root`. Blocks are MJML fragments
 * (sections, columns, …) and may include other blocks. An include must stand on its own line so every line of
 * the result maps back to exactly one source line (for error messages). Problems are collected, not thrown.
 */
export function expandIncludes(
  root: string,
  file: string,
  /** The file's text when it is made by the build, not read (its includes still resolve from `file`'s folder). */
  text?: string,
): { source: ExpandedSource; problems: IncludeProblem[] } {
  const lines: string[] = [];
  const origins: LineOrigin[] = [];
  const problems: IncludeProblem[] = [];
  expandInto(root, file, [], lines, origins, problems, text);
  return { source: { text: lines.join("\n"), origins }, problems };
}

function expandInto(
  root: string,
  file: string,
  chain: readonly string[],
  lines: string[],
  origins: LineOrigin[],
  problems: IncludeProblem[],
  given?: string,
): void {
  const text = (given ?? readFileSync(path.join(root, file), "utf8")).replace(/\r\n?/g, "\n");
  const own = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  own.forEach((content, index) => {
    const here = { file, line: index + 1 };
    const match = INCLUDE.exec(content);
    if (match === null) {
      lines.push(content);
      origins.push(here);
      return;
    }
    const target = resolveInclude(root, file, match[1] ?? "");
    const alone = content.replace(match[0], "").trim() === "";
    const problem = !alone
      ? "put <mj-include> on a line of its own"
      : typeof target !== "string"
        ? target.problem
        : chain.includes(target) || target === file
          ? `include cycle: ${[...chain, file, target].join(" → ")}`
          : chain.length >= MAX_DEPTH
            ? `includes nested deeper than ${MAX_DEPTH}`
            : undefined;
    if (problem !== undefined || typeof target !== "string") {
      problems.push({ ...here, message: problem ?? "bad include" });
      lines.push("");
      origins.push(here);
      return;
    }
    expandInto(root, target, [...chain, file], lines, origins, problems);
  });
}

function resolveInclude(root: string, from: string, attributes: string): string | { problem: string } {
  const attr = PATH_ATTR.exec(attributes);
  const raw = attr?.[1] ?? attr?.[2];
  if (raw === undefined || raw === "") return { problem: '<mj-include> needs a path="…"' };
  const withExt = raw.endsWith(".mjml") ? raw : `${raw}.mjml`;
  const absolute = path.resolve(root, path.dirname(from), withExt);
  const relative = path.relative(root, absolute);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    return { problem: `include "${raw}" points outside the templates folder` };
  }
  if (!existsSync(absolute)) return { problem: `include "${raw}": no such file ${relative}` };
  return relative.split(path.sep).join("/");
}

/** The origin of 1-based `line` of an expanded source (the last line's origin past the end). */
export function originOf(source: ExpandedSource, line: number): LineOrigin | undefined {
  return source.origins[Math.min(Math.max(line, 1), source.origins.length) - 1];
}
