import { fileURLToPath } from "node:url";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import type { BundledFolder } from "./project-function.js";

/**
 * Where the functions find the segment definitions: relative to their working directory, which is the bundle
 * root on Lambda (`/var/task`) and the repository root in the local stack. The definitions are authored at the
 * same path in the repository.
 */
export const SEGMENTS_DIR = "templates/segments";

/** The repository's segment definitions, found from this file wherever the repository is checked out. */
const repositorySegments = fileURLToPath(new URL(`../../${SEGMENTS_DIR}`, import.meta.url));

/** The library of segment definitions, as the loader reads it. */
export type SegmentLibrary = ReturnType<typeof loadSegmentLibrary>;

/**
 * The segment definitions the app ships, validated when the app is built: an invalid definition throws the
 * loader's error (naming the file, the path inside it and the rule broken), which fails `cdk synth`, the CDK
 * tests and the local stack's start, never a deployed function. Functions that evaluate segments carry the
 * folder in their bundle ({@link SegmentDefinitions.bundledFolder}) and find it through `SEGMENTS_DIR`.
 */
export class SegmentDefinitions {
  /** Absolute path of the folder the definitions were read from. */
  readonly sourceDir: string;
  /** What the loader made of them. */
  readonly library: SegmentLibrary;

  private constructor(sourceDir: string, library: SegmentLibrary) {
    this.sourceDir = sourceDir;
    this.library = library;
  }

  /**
   * Reads and validates the definitions in `dir`.
   * @param dir absolute path of a folder of definitions; default: the repository's `templates/segments`
   */
  static load(dir: string = repositorySegments): SegmentDefinitions {
    return new SegmentDefinitions(dir, loadSegmentLibrary(dir));
  }

  /** The folder as a function bundles it: copied to `SEGMENTS_DIR` under the bundle root. */
  get bundledFolder(): BundledFolder {
    return { source: this.sourceDir, target: SEGMENTS_DIR };
  }
}
