import { fileURLToPath } from "node:url";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { explainMissing } from "./stack-access.js";

/** The repository's segment definitions, wherever the command is run from. */
export const defaultSegmentsDir = fileURLToPath(new URL("../templates/segments", import.meta.url));

/** The segment library of `dir` (default: the repository's). */
export function readLibrary(dir: string | undefined): SegmentLibrary {
  return loadSegmentLibrary(dir ?? defaultSegmentsDir);
}

/**
 * A `.catch` handler turning "no such table" (also when an adapter wrapped it as the `cause` of its own error)
 * into the hint that no stack has run on this data dir yet.
 */
export function missingTables(what: string, dataDir: string | undefined): (error: unknown) => never {
  return (error) => {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
    const name = (e: unknown) => (typeof e === "object" && e !== null && "name" in e ? String(e.name) : "");
    if (name(cause) === "ResourceNotFoundException") explainMissing(cause, what, dataDir);
    return explainMissing(error, what, dataDir);
  };
}
