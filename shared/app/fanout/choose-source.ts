import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import type { FanOutSource, MemberIndexStatus, SegmentMemberIndex } from "#shared/ports.js";

/** What {@link chooseFanOutSource} reads. */
export interface FanOutSourceDeps {
  /** The membership index; absent (not deployed): scan. */
  readonly memberIndex?: SegmentMemberIndex;
  /** Whether the index was rebuilt from the whole table; absent: it never counts as complete. */
  readonly memberIndexStatus?: Pick<MemberIndexStatus, "rebuiltAt">;
  /** The segment definitions: whether the audience is evaluated by a rule. */
  readonly segmentLibrary?: Pick<SegmentLibrary, "byId">;
}

/** Where a run reads its audience, and why. */
export interface FanOutSourceChoice {
  readonly source: FanOutSource;
  readonly reason: string;
}

/**
 * Where a run reads the audience `segmentId`: the membership index only when it can be trusted whole for that
 * segment, i.e. the segment is evaluated by a rule (its transitions write the index at every flush) and a
 * `reindex` run has finished (so members written before the index existed, or before an upgrade, are in it).
 * A static segment is scanned: its members are the profiles' imported lists (`ss`), which merges and imports
 * change without the index being rebuilt from them. Otherwise a scan of the profile table, which is always
 * complete.
 */
export async function chooseFanOutSource(
  deps: FanOutSourceDeps,
  segmentId: string,
): Promise<FanOutSourceChoice> {
  const scan = (reason: string): FanOutSourceChoice => ({ source: "scan", reason });
  if (deps.memberIndex === undefined) return scan("no membership index is configured");
  const definition = deps.segmentLibrary?.byId.get(segmentId);
  if (definition === undefined) return scan(`segment ${segmentId} is not in the segment library`);
  if (definition.static) {
    return scan(`segment ${segmentId} is static: its members are imported lists, read from the profiles`);
  }
  const rebuiltAt = await deps.memberIndexStatus?.rebuiltAt();
  if (rebuiltAt === undefined) {
    return scan(
      "the membership index was never rebuilt: run `tailor segments reindex` (the nightly jobs do once)",
    );
  }
  return {
    source: "index",
    reason: `segment ${segmentId} is evaluated and the index was rebuilt by a reindex started ${new Date(rebuiltAt).toISOString()}`,
  };
}
