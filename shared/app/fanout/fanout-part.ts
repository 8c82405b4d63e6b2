import type { CampaignLibrary } from "#shared/domain/campaigns/index.js";
import type { Clock, FanOutCounts, FanOutRuns, ProfilePages, SegmentMemberIndex } from "#shared/ports.js";
import type { SendScheduling } from "../schedule-intents.js";
import { readAudiencePage } from "./audience-page.js";
import type { FanOutPartInput } from "./plan-fanout.js";
import { enqueueJourneys, ScheduleFanOutError, scheduledCampaign } from "./scheduled-journeys.js";

/** What {@link fanOutPart} needs. */
export interface FanOutPartDeps {
  readonly library: CampaignLibrary;
  readonly profiles: Pick<ProfilePages, "page">;
  /** Required when a part's source is `index`. */
  readonly memberIndex?: SegmentMemberIndex;
  readonly sends: SendScheduling;
  readonly runs: FanOutRuns;
  readonly clock: Clock;
}

/** Bounds of one invocation. */
export interface FanOutPartOptions {
  /** No new page is started after this long (ms): the invocation returns its cursor. @default 240,000 */
  readonly budgetMs?: number;
  /** Items a page reads at most: the memory bound. @default 500 */
  readonly pageSize?: number;
  /** Attempts to hand a page's intents on (SQS partial failures). @default 3 */
  readonly attempts?: number;
}

/** What an invocation did, and where the part stands: the next invocation's input unless `done`. */
export interface FanOutPartResult extends FanOutPartInput {
  readonly done: boolean;
  /** Pages this invocation checkpointed. */
  readonly pages: number;
  /** Counted by this invocation's checkpoints. */
  readonly counts: FanOutCounts;
}

/** No counts yet. */
export const NO_FANOUT_COUNTS: FanOutCounts = { read: 0, members: 0, enqueued: 0, timed: 0 };

/** Two runs' (or parts') counts added. */
export function addFanOutCounts(a: FanOutCounts, b: FanOutCounts): FanOutCounts {
  return {
    read: a.read + b.read,
    members: a.members + b.members,
    enqueued: a.enqueued + b.enqueued,
    timed: a.timed + b.timed,
  };
}

/**
 * One invocation of a fan-out part: resumes the part at its checkpoint (so a retried or restarted part goes on
 * where the last checkpoint left it, whatever cursor its input carries), then page by page until the part is
 * done or the time budget is spent: reads the page (index entries, or profiles of a scan slice kept when in the
 * audience), hands a journey per member to the sends queue, and checkpoints the page with its counts. A page
 * handed on but not checkpointed (the invocation failed in between) is handed on again by the retry: the send
 * keys are the same, so the ledger sends nothing twice and the counts count it once. An error is recorded on
 * the run, then thrown for the state machine's Retry.
 */
export async function fanOutPart(
  deps: FanOutPartDeps,
  input: FanOutPartInput,
  options: FanOutPartOptions = {},
): Promise<FanOutPartResult> {
  try {
    return await runPart(deps, input, options);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.runs.recordError(input, `part ${input.part}: ${message}`).catch(() => undefined);
    throw error;
  }
}

async function runPart(
  deps: FanOutPartDeps,
  input: FanOutPartInput,
  options: FanOutPartOptions,
): Promise<FanOutPartResult> {
  const { campaign } = scheduledCampaign(deps.library, input.campaignId);
  const at = Date.parse(input.occurrence);
  if (Number.isNaN(at)) {
    throw new ScheduleFanOutError(`occurrence: ${input.occurrence} is not an ISO time`, { retryable: false });
  }
  const budgetMs = options.budgetMs ?? 240_000;
  const limit = options.pageSize ?? 500;
  const attempts = options.attempts ?? 3;
  const started = deps.clock.now();
  let state = await deps.runs.part(input, input.part);
  let counts = NO_FANOUT_COUNTS;
  let pages = 0;
  while (!state.done && (pages === 0 || deps.clock.now() - started < budgetMs)) {
    const page = await readAudiencePage(deps, input, limit, state.cursor);
    const handed = await enqueueJourneys(deps.sends, deps.clock, campaign, page.members, at, attempts);
    const added = {
      read: page.read,
      members: page.members.length,
      enqueued: handed.enqueued,
      timed: handed.timed,
    };
    const next = { step: state.step + 1, done: page.cursor === undefined, cursor: page.cursor };
    const moved = await deps.runs.advance(input, input.part, {
      step: state.step,
      cursor: page.cursor,
      done: next.done,
      counts: added,
    });
    if (!moved) {
      // Another invocation checkpointed this part first: go on from where it left it.
      state = await deps.runs.part(input, input.part);
      continue;
    }
    state = next;
    counts = addFanOutCounts(counts, added);
    pages++;
  }
  const { cursor: _previous, ...rest } = input;
  return {
    ...rest,
    ...(state.cursor === undefined ? {} : { cursor: state.cursor }),
    done: state.done,
    pages,
    counts,
  };
}
