import {
  type CampaignLibrary,
  intentsForCatalogChange,
  type WatcherVerdict,
} from "../domain/campaigns/index.js";
import { type CatalogChange, catalogChangeSchema } from "../domain/catalog/index.js";
import type { Profile } from "../domain/profile/index.js";
import { TailorError } from "../errors.js";
import type { Clock, ProfileStore, WatchIndex } from "../ports.js";
import { type SendScheduling, scheduleIntents } from "./schedule-intents.js";

/** What {@link startCatalogJourneys} needs. */
export interface CatalogJourneyDeps {
  readonly library: CampaignLibrary;
  readonly watches: Pick<WatchIndex, "watchers">;
  /** The watchers' profiles: who bought the product since, who pays in another currency, who is gone. */
  readonly profiles: Pick<ProfileStore, "getMany">;
  readonly sends: SendScheduling;
  readonly clock: Clock;
  /** Watchers read per page. @default 500 */
  readonly pageSize?: number;
}

/** What the changes of one batch did (summed over its messages). */
export interface CatalogJourneySummary {
  changes: number;
  /** Pages of watchers read. */
  pages: number;
  watchers: number;
  /** Journeys started (one per watcher and campaign). */
  journeys: number;
  /** Send intents handed on (one per step). */
  intents: number;
  enqueued: number;
  timed: number;
  /** Watchers left out, by why (bought, outside the window, another currency, unknown customer, small drop). */
  leftOut: Partial<Record<Exclude<WatcherVerdict, "journey">, number>>;
}

/** A message body that is not a catalog change: permanent, the message goes to the dead-letter queue. */
export class MalformedCatalogChangeError extends TailorError {
  constructor(reason: string) {
    super(`not a catalog change: ${reason}`, { retryable: false });
  }
}

/** Intents of a change that the sends queue or timers did not take: the whole change is retried. */
export class CatalogJourneysNotScheduledError extends TailorError {
  constructor(change: CatalogChange, missing: number) {
    super(`${missing} send intents of ${change.kind} ${change.productId} were not handed on`, {
      retryable: true,
    });
  }
}

/** An empty summary to add messages to. */
export function emptyCatalogSummary(): CatalogJourneySummary {
  return { changes: 0, pages: 0, watchers: 0, journeys: 0, intents: 0, enqueued: 0, timed: 0, leftOut: {} };
}

/**
 * Starts the catalog-triggered journeys of one change from the catalog changes queue: reads the product's
 * watchers page by page (interests inside the widest `within` of the matching campaigns), loads their profiles,
 * and hands each page's intents ({@link intentsForCatalogChange}) to the sends queue or send timers, the path
 * every event-triggered journey takes. Throws {@link MalformedCatalogChangeError} for a body that is not a change
 * (never retried usefully: the dead-letter queue keeps it), and a retryable error when intents were not handed
 * on; a retry reads every page again and hands on the same keys, which the send ledger sends once.
 */
export async function startCatalogJourneys(
  deps: CatalogJourneyDeps,
  body: string,
  summary: CatalogJourneySummary = emptyCatalogSummary(),
): Promise<CatalogJourneySummary> {
  const parsed = parseChange(body);
  if ("reason" in parsed) throw new MalformedCatalogChangeError(parsed.reason);
  const { change } = parsed;
  summary.changes++;
  const widest = widestWindow(deps.library, change);
  if (widest === undefined) return summary;
  const now = deps.clock.now();
  let cursor: string | undefined;
  do {
    const page = await deps.watches.watchers(change.productId, {
      since: change.at - widest,
      limit: deps.pageSize ?? 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    summary.pages++;
    summary.watchers += page.watchers.length;
    const stored = await deps.profiles.getMany(page.watchers.map((w) => w.customerId));
    const profiles = new Map<string, Profile>([...stored].map(([id, s]) => [id, s.profile]));
    const intents = intentsForCatalogChange(deps.library, change, page.watchers, now, {
      profiles,
      verdicts: (_customer, _campaign, verdict) => {
        if (verdict === "journey") summary.journeys++;
        else summary.leftOut[verdict] = (summary.leftOut[verdict] ?? 0) + 1;
      },
    });
    if (intents.length > 0) {
      const scheduled = await scheduleIntents(deps.sends, intents, now);
      summary.intents += intents.length;
      summary.enqueued += scheduled.enqueued;
      summary.timed += scheduled.timed;
      if (scheduled.accepted.size < intents.length) {
        throw new CatalogJourneysNotScheduledError(change, intents.length - scheduled.accepted.size);
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return summary;
}

/** The widest watch window of the campaigns this change can start, or undefined when none can. */
function widestWindow(library: CampaignLibrary, change: CatalogChange): number | undefined {
  let widest: number | undefined;
  for (const campaign of library.campaigns) {
    const trigger = campaign.trigger;
    if (trigger.kind !== "catalog" || trigger.change !== change.kind) continue;
    widest = Math.max(widest ?? 0, trigger.withinMs);
  }
  return widest;
}

/** The change in a message body, or why it is not one. */
function parseChange(body: string): { change: CatalogChange } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = catalogChangeSchema.safeParse(value);
  if (parsed.success) return { change: parsed.data };
  return {
    reason: parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; "),
  };
}
