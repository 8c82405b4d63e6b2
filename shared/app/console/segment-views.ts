import { evaluateAll, type SegmentDefinition } from "#shared/domain/segments/index.js";
import type { SegmentSizePoint } from "#shared/ports.js";
import { checkDefinitionText, type SegmentFileProblem } from "#shared/templates/segment-files.js";
import type { ConsoleDeps } from "./console-deps.js";

/** Days of size history the console charts. */
export const HISTORY_DAYS = 90;
/** Profiles a live preview evaluates at most (one page of one random scan slice). */
export const PREVIEW_SAMPLE = 200;
/** Members of a preview's sample shown. */
const MEMBERS_SHOWN = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day of an epoch time, `YYYY-MM-DD`. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A segment in the console's list. */
export interface SegmentSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly size: number;
  /** When the nightly recount last wrote the exact size (ISO), if it ever ran. */
  readonly countedAt: string | null;
  readonly history: readonly SegmentSizePoint[];
}

/** One segment as its page shows it: its summary, its definition, and today's change. */
export interface SegmentDetail extends SegmentSummary {
  readonly definition: SegmentDefinition;
  /** Net change of the size since yesterday's point (entered minus left), when both are kept. */
  readonly changeToday: number | null;
}

/** Every segment with its size and its size over the last {@link HISTORY_DAYS} days: two reads, whatever the count. */
export async function listSegments(
  deps: Pick<ConsoleDeps, "segments" | "sizeHistory" | "segmentLibrary" | "clock">,
): Promise<SegmentSummary[]> {
  const definitions = deps.segmentLibrary().definitions;
  return summaries(deps, definitions);
}

async function summaries(
  deps: Pick<ConsoleDeps, "segments" | "sizeHistory" | "clock">,
  definitions: readonly SegmentDefinition[],
): Promise<SegmentSummary[]> {
  const ids = definitions.map((definition) => definition.id);
  const since = utcDay(deps.clock.now() - HISTORY_DAYS * DAY_MS);
  const [sizes, history] = await Promise.all([
    deps.segments.sizes(ids),
    deps.sizeHistory.history(ids, since),
  ]);
  const sizeOf = new Map(sizes.map((size) => [size.segmentId, size]));
  return definitions.map((definition) => {
    const size = sizeOf.get(definition.id);
    return {
      id: definition.id,
      name: definition.name,
      description: definition.description ?? null,
      size: size?.size ?? 0,
      countedAt: size?.countedAt === undefined ? null : new Date(size.countedAt).toISOString(),
      history: history.get(definition.id) ?? [],
    };
  });
}

/** One segment's page; `undefined` for an id the library does not hold. */
export async function segmentDetail(
  deps: Pick<ConsoleDeps, "segments" | "sizeHistory" | "segmentLibrary" | "clock">,
  segmentId: string,
): Promise<SegmentDetail | undefined> {
  const definition = deps.segmentLibrary().byId.get(segmentId);
  if (definition === undefined) return undefined;
  const [summary] = await summaries(deps, [definition]);
  if (summary === undefined) return undefined;
  const today = utcDay(deps.clock.now());
  const yesterday = utcDay(deps.clock.now() - DAY_MS);
  const todays = summary.history.find((point) => point.day === today)?.size ?? summary.size;
  const before = summary.history.find((point) => point.day === yesterday)?.size;
  return { ...summary, definition, changeToday: before === undefined ? null : todays - before };
}

/** A live preview of a definition being written. */
export type SegmentPreview =
  | { readonly ok: false; readonly problems: readonly SegmentFileProblem[] }
  | {
      readonly ok: true;
      readonly id: string;
      readonly name: string;
      /** Profiles evaluated (a bounded uniform sample) and how many of them are members. */
      readonly sampled: number;
      readonly members: number;
      /** The size estimated on the sample: members / sampled × the table's approximate count. */
      readonly estimatedSize: number;
      readonly estimate: true;
      readonly sampleMembers: readonly string[];
    };

/**
 * Checks a definition as the build does (problems with file, line, path and rule) and, when it is valid,
 * estimates its size on a sample of at most {@link PREVIEW_SAMPLE} profiles: one page of one random slice of a
 * parallel scan, so the read is bounded whatever the table's size; said to be an estimate, with some members.
 */
export async function previewSegment(
  deps: Pick<ConsoleDeps, "sample" | "segments" | "segmentLibrary" | "clock" | "random">,
  text: string,
): Promise<SegmentPreview> {
  const checked = checkDefinitionText(text, "preview.yaml", deps.segmentLibrary());
  if (!checked.ok) return { ok: false, problems: checked.problems };
  const approximate = await deps.sample.approximateCount();
  const totalSegments = Math.max(1, Math.min(1_000_000, Math.ceil(approximate / PREVIEW_SAMPLE)));
  const segment = Math.min(totalSegments - 1, Math.floor((deps.random ?? Math.random)() * totalSegments));
  const [page, rfm] = await Promise.all([
    deps.sample.page({ segment, totalSegments }, { limit: PREVIEW_SAMPLE }),
    deps.segments.rfmThresholds(),
  ]);
  const now = deps.clock.now();
  const id = checked.definition.id;
  const members = page.profiles
    .filter(({ profile }) =>
      evaluateAll(checked.library, profile, now, rfm === undefined ? {} : { rfm }).some(
        (evaluation) => evaluation.segmentId === id && evaluation.member,
      ),
    )
    .map(({ profile }) => profile.customerId);
  const sampled = page.profiles.length;
  // A slice read whole (no cursor) of a one-slice scan is the whole table: the count is exact there.
  const population =
    totalSegments === 1 && page.cursor === undefined ? sampled : Math.max(approximate, sampled);
  return {
    ok: true,
    id,
    name: checked.definition.name,
    sampled,
    members: members.length,
    estimatedSize: sampled === 0 ? 0 : Math.round((members.length / sampled) * population),
    estimate: true,
    sampleMembers: members.slice(0, MEMBERS_SHOWN),
  };
}
