import { PREVIEW_LINKS } from "#shared/render/preview-settings.js";
import { dryRunCampaign } from "../dry-run/dry-run-campaign.js";
import type { DispatchReads } from "../dry-run/dry-run-reads.js";
import type { DryRunCounts } from "../dry-run/dry-run-session.js";
import {
  CONSOLE_DRY_RUN_BUDGET_MS,
  CONSOLE_DRY_RUN_MAX_READ,
  type ConsoleDeps,
  type ConsoleDryRunDeps,
} from "./console-deps.js";
import { auditView } from "./customer-views.js";
import type { TemplateRenderers } from "./template-views.js";

/** Rendered subjects shown. */
export const CONSOLE_DRY_RUN_SAMPLE = 5;
/** Items a page reads: small, so the time budget is kept closely. */
const PAGE_SIZE = 100;

/** One rendered email of a console dry run: who, which variant, its subject (never its body or address). */
export interface ConsoleDryRunSample {
  readonly customerId: string;
  readonly variant: string;
  readonly subject: string;
}

/** What `POST /v1/admin/campaigns/{id}/dry-run` answers. */
export interface ConsoleDryRunView extends DryRunCounts {
  readonly campaignId: string;
  readonly occurrence: string;
  readonly segmentId: string;
  readonly source: "index" | "scan";
  readonly sourceReason: string;
  /** False: a read limit or the time budget stopped it; the counts are those of the first items read. */
  readonly complete: boolean;
  readonly stoppedBy?: "read limit" | "time budget";
  /** The audience segment's size from its counters, when it has one: what a sample is a sample of. */
  readonly segmentSize?: number;
  readonly samples: readonly ConsoleDryRunSample[];
}

/** A dry run the console could not make: the status and why. */
export interface ConsoleDryRunRefusal {
  readonly status: 404 | 422;
  readonly message: string;
}

/**
 * A campaign's next tick dry-run from the console: the same code as `tailor campaign dry-run` (the fan-out's
 * audience reader, dispatch's decisions over its reading ports only), bounded for an API call (at most
 * `maxRead` items read and pages started for `budgetMs`, the counts then said to be a sample), rendered with the
 * console's current templates and preview links (only subjects are shown). Each customer whose subject is shown
 * gets a `customer.viewed` audit entry naming the operator and the campaign.
 */
export async function consoleDryRun(
  deps: ConsoleDeps,
  dryRun: ConsoleDryRunDeps,
  renderers: TemplateRenderers,
  request: { readonly campaignId: string; readonly at: number; readonly actor: string },
): Promise<ConsoleDryRunView | ConsoleDryRunRefusal> {
  const library = deps.campaignLibrary();
  const campaign = library.byId.get(request.campaignId);
  if (campaign === undefined) return { status: 404, message: `no campaign ${request.campaignId}` };
  if (campaign.trigger.kind !== "schedule") {
    return {
      status: 422,
      message: `campaign ${campaign.id} is triggered by ${campaign.trigger.kind === "event" ? "an event" : `a ${campaign.trigger.kind} change`}, not a schedule: only a scheduled campaign has a tick to dry-run`,
    };
  }
  const started = deps.clock.now();
  const { renderer } = await renderers.current();
  const dispatch: DispatchReads = {
    ledger: deps.ledger,
    profiles: deps.profiles,
    identities: deps.identities,
    library,
    renderer,
    content: {
      catalog: deps.catalog,
      ...(deps.contentLibrary === undefined ? {} : { contentLibrary: deps.contentLibrary }),
      ...(dryRun.recommender === undefined ? {} : { recommender: dryRun.recommender }),
    },
    links: PREVIEW_LINKS,
    shop: dryRun.shop,
  };
  const [report, sizes] = await Promise.all([
    dryRunCampaign(
      { dispatch, ...dryRun.audience },
      {
        campaignId: campaign.id,
        at: request.at,
        sample: CONSOLE_DRY_RUN_SAMPLE,
        parts: 1,
        pageSize: PAGE_SIZE,
        maxRead: dryRun.maxRead ?? CONSOLE_DRY_RUN_MAX_READ,
        deadline: {
          at: started + (dryRun.budgetMs ?? CONSOLE_DRY_RUN_BUDGET_MS),
          now: () => deps.clock.now(),
        },
      },
    ),
    deps.segments.sizes([campaign.trigger.audience]),
  ]);
  const { samples, ...counts } = report;
  for (const customerId of new Set(samples.map((sample) => sample.customerId))) {
    await auditView(deps, customerId, request.actor, `campaign ${campaign.id} dry run`);
  }
  const size = sizes.find((found) => found.segmentId === report.segmentId)?.size;
  return {
    ...counts,
    ...(size === undefined ? {} : { segmentSize: size }),
    samples: samples.map((email) => ({
      customerId: email.customerId,
      variant: email.variant,
      subject: email.subject,
    })),
  };
}
