import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ProposedDefinitions } from "#shared/app/dry-run/dry-run-change.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { OperationsError } from "./operations-error.js";

/** Where the current definitions are, and the changed files to put in their place. */
export interface DefinitionFiles {
  readonly campaignsDir: string;
  readonly segmentsDir: string;
  readonly emailsDir: string;
  readonly campaignFile?: string;
  readonly segmentFile?: string;
}

/**
 * The campaign and segment libraries with a changed file in place of the current one of the same id (its file
 * name), read and checked by the same loaders as the functions' (a definition that does not load is refused
 * with its problems): copies of the folders in a temporary folder, removed again.
 */
export function proposedDefinitions(files: DefinitionFiles): ProposedDefinitions {
  const work = mkdtempSync(path.join(tmpdir(), "tailor-dry-run-"));
  try {
    const segmentsDir = overlay(
      files.segmentsDir,
      files.segmentFile,
      path.join(work, "segments"),
      "--segment-file",
    );
    const campaignsDir = overlay(
      files.campaignsDir,
      files.campaignFile,
      path.join(work, "campaigns"),
      "--campaign-file",
    );
    const segments = loadSegmentLibrary(segmentsDir);
    const library = loadCampaignLibrary(campaignsDir, { templates: files.emailsDir, segments });
    return { library, ...(files.segmentFile === undefined ? {} : { segments }) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A copy of `dir` with `file` in place of the definition of the same id (any extension). */
function overlay(dir: string, file: string | undefined, into: string, flag: string): string {
  cpSync(dir, into, { recursive: true });
  if (file === undefined) return into;
  if (!existsSync(file)) throw new OperationsError(`${flag}: no file ${file}`);
  const id = path.parse(file).name;
  for (const entry of readdirSync(into, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && path.parse(entry.name).name === id) rmSync(path.join(entry.parentPath, entry.name));
  }
  cpSync(file, path.join(into, path.basename(file)));
  return into;
}
