import { TailorError } from "#shared/errors.js";
import type { Condition, SegmentDefinition } from "./definition.js";

/** Checked definitions in dependency order: a segment comes after every segment its rule refers to. */
export interface SegmentLibrary {
  readonly definitions: readonly SegmentDefinition[];
  readonly byId: ReadonlyMap<string, SegmentDefinition>;
}

/** One reason a set of definitions cannot form a library. */
export interface LibraryProblem {
  /** The definition at fault. */
  readonly segmentId: string;
  /** Path inside that definition, e.g. `rule.all[1].inSegment`; empty for the whole definition. */
  readonly path: string;
  /** `duplicate_id`, `unknown_segment` or `cycle`. */
  readonly rule: "duplicate_id" | "unknown_segment" | "cycle";
  readonly message: string;
}

/** Definitions that cannot form a library: every problem, each naming its segment. Never retryable. */
export class SegmentLibraryError extends TailorError {
  readonly problems: readonly LibraryProblem[];

  constructor(problems: readonly LibraryProblem[]) {
    super(
      `invalid segment library: ${problems.map((p) => `${p.segmentId}${p.path === "" ? "" : ` ${p.path}`}: ${p.message}`).join("; ")}`,
      { retryable: false },
    );
    this.problems = problems;
  }
}

/** Every `inSegment` reference of a rule, with its path. */
export function segmentReferences(rule: Condition, path = "rule"): { segmentId: string; path: string }[] {
  switch (rule.kind) {
    case "all":
    case "any":
      return rule.of.flatMap((child, i) => segmentReferences(child, `${path}.${rule.kind}[${i}]`));
    case "not":
      return segmentReferences(rule.of, `${path}.not`);
    case "inSegment":
      return [{ segmentId: rule.segmentId, path: `${path}.inSegment` }];
    default:
      return [];
  }
}

/**
 * Orders definitions so every segment comes after the segments it refers to (otherwise keeping the given
 * order). Throws {@link SegmentLibraryError} listing every duplicate id, unknown reference and cycle (named
 * `a → b → a`).
 */
export function buildLibrary(definitions: readonly SegmentDefinition[]): SegmentLibrary {
  const problems: LibraryProblem[] = [];
  const byId = new Map<string, SegmentDefinition>();
  for (const definition of definitions) {
    if (byId.has(definition.id)) {
      problems.push({
        segmentId: definition.id,
        path: "id",
        rule: "duplicate_id",
        message: `segment id ${definition.id} is defined more than once`,
      });
    } else byId.set(definition.id, definition);
  }
  const edges = new Map<string, { segmentId: string; path: string }[]>();
  for (const definition of byId.values()) {
    const refs = definition.static ? [] : segmentReferences(definition.rule);
    for (const ref of refs) {
      if (!byId.has(ref.segmentId)) {
        problems.push({
          segmentId: definition.id,
          path: ref.path,
          rule: "unknown_segment",
          message: `refers to unknown segment ${ref.segmentId}`,
        });
      }
    }
    edges.set(
      definition.id,
      refs.filter((ref) => byId.has(ref.segmentId)),
    );
  }

  const ordered: SegmentDefinition[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    const seen = state.get(id);
    if (seen === "done") return;
    if (seen === "visiting") {
      const cycle = [...stack.slice(stack.indexOf(id)), id];
      const key = [...cycle.slice(0, -1)].sort().join(",");
      if (!reported.has(key)) {
        reported.add(key);
        const from = cycle[cycle.length - 2] ?? id;
        const path = edges.get(from)?.find((ref) => ref.segmentId === id)?.path ?? "";
        problems.push({ segmentId: from, path, rule: "cycle", message: `cycle: ${cycle.join(" → ")}` });
      }
      return;
    }
    state.set(id, "visiting");
    stack.push(id);
    for (const ref of edges.get(id) ?? []) visit(ref.segmentId);
    stack.pop();
    state.set(id, "done");
    const definition = byId.get(id);
    if (definition !== undefined) ordered.push(definition);
  };
  for (const id of byId.keys()) visit(id);

  if (problems.length > 0) throw new SegmentLibraryError(problems);
  return { definitions: ordered, byId };
}
