import { intentsForSchedule } from "../../domain/campaigns/triggers.js";
import { readAudiencePage } from "../fanout/audience-page.js";
import { chooseFanOutSource } from "../fanout/choose-source.js";
import { scheduledCampaign, tickMinute } from "../fanout/scheduled-journeys.js";
import { type AudienceReads, audienceReads, type DispatchReads } from "./dry-run-reads.js";
import { type DryRunCounts, type DryRunEmail, DryRunSession } from "./dry-run-session.js";

/**
 * What a dry run reads: dispatch's reading ports and the fan-out's audience readers (narrowed to their read
 * methods whatever the objects given also hold: {@link DispatchReads}, {@link AudienceReads}).
 */
export interface DryRunDeps extends AudienceReads {
  /** The dispatch function's dependencies as its composition root builds them, or their reads. */
  readonly dispatch: DispatchReads;
}

/** Which campaign, at what time, and how much to keep. */
export interface DryRunOptions {
  readonly campaignId: string;
  /** The time the dry run decides at (epoch ms): the tick, and dispatch's clock. */
  readonly at: number;
  /** Rendered emails kept as a sample. @default 5 */
  readonly sample?: number;
  /** Parts the audience is read in (one after the other). @default 4 */
  readonly parts?: number;
  /** Items a page reads at most: the memory bound. @default 500 */
  readonly pageSize?: number;
  /**
   * Items (index entries or profiles) read at most: past it the dry run stops and its report is a sample (the
   * first items in the reader's order, which is hashed, not chosen). @default - the whole audience
   */
  readonly maxRead?: number;
  /** No page is started after `at` (epoch ms, by `now`): the report is then a sample. @default - no deadline */
  readonly deadline?: { readonly at: number; readonly now: () => number };
}

/** What `tailor campaign dry-run` reports. */
export interface DryRunReport extends DryRunCounts {
  readonly campaignId: string;
  /** The tick the journeys would carry (ISO, to the minute). */
  readonly occurrence: string;
  readonly segmentId: string;
  readonly source: "index" | "scan";
  readonly sourceReason: string;
  readonly samples: readonly DryRunEmail[];
  /** False when a read limit or deadline stopped the dry run before the audience's end: the counts are a sample. */
  readonly complete: boolean;
  readonly stoppedBy?: "read limit" | "time budget";
}

export const DEFAULT_DRY_RUN_SAMPLE = 5;
export const DEFAULT_DRY_RUN_PARTS = 4;
const DEFAULT_PAGE_SIZE = 500;

/**
 * Who a scheduled campaign's tick at `at` would reach, without sending or writing anything: the audience read
 * page by page by the fan-out's reader (the membership index or a scan, chosen as the fan-out chooses), the
 * journeys made by the same domain function, and each intent due now decided by dispatch's code with its writes
 * replaced ({@link DryRunSession}). Memory stays bounded by a page and the sample.
 */
export async function dryRunCampaign(deps: DryRunDeps, options: DryRunOptions): Promise<DryRunReport> {
  const { campaign, audience } = scheduledCampaign(deps.dispatch.library, options.campaignId);
  const tick = tickMinute(new Date(options.at).toISOString(), { now: () => options.at });
  const audienceDeps = audienceReads(deps);
  const { source, reason } = await chooseFanOutSource(audienceDeps, audience);
  const session = new DryRunSession(deps.dispatch, {
    at: options.at,
    sample: options.sample ?? DEFAULT_DRY_RUN_SAMPLE,
  });
  const parts = Math.max(1, Math.floor(options.parts ?? DEFAULT_DRY_RUN_PARTS));
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxRead = options.maxRead ?? Number.POSITIVE_INFINITY;
  let stoppedBy: DryRunReport["stoppedBy"];
  reading: for (let part = 0; part < parts; part++) {
    let cursor: string | undefined;
    do {
      if (session.counts.read >= maxRead) stoppedBy = "read limit";
      else if (options.deadline !== undefined && options.deadline.now() >= options.deadline.at) {
        stoppedBy = "time budget";
      }
      if (stoppedBy !== undefined) break reading;
      const page = await readAudiencePage(
        audienceDeps,
        { source, segmentId: audience, part, parts },
        Math.max(1, Math.min(limit, maxRead - session.counts.read)),
        cursor,
      );
      session.counts.read += page.read;
      session.counts.members += page.members.length;
      const intents = intentsForSchedule(campaign, page.members, tick);
      const due = intents.filter((intent) => intent.dueAt <= options.at);
      session.counts.later += intents.length - due.length;
      await session.decide(due);
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return {
    campaignId: campaign.id,
    occurrence: new Date(tick).toISOString(),
    segmentId: audience,
    source,
    sourceReason: reason,
    ...session.counts,
    samples: session.samples,
    complete: stoppedBy === undefined,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
  };
}
