import type { CampaignLibrary } from "#shared/domain/campaigns/index.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import type {
  AuditLog,
  CampaignOutcomeCounts,
  Catalog,
  Clock,
  ContentLibrary,
  ExperimentCounters,
  IdentityStore,
  ProfilePages,
  ProfileStore,
  Recommender,
  SegmentChanges,
  SegmentSizeHistory,
  SegmentStore,
  SendLedger,
  TemplateSource,
} from "#shared/ports.js";
import type { ShopView } from "#shared/render/render-context.js";
import type { SampleProfile } from "#shared/render/samples.js";
import type { AudienceReads } from "../dry-run/dry-run-reads.js";

/**
 * What the console's read API (`/v1/admin/...`) needs: the stores it reads one customer or one segment from (never
 * a scan of the profile table: a bounded sample at most), the libraries it shows, and the audit log every read
 * of one customer's data is written to.
 */
export interface ConsoleDeps {
  readonly profiles: Pick<ProfileStore, "get" | "getMany">;
  /** Any id of a customer (a merged id resolves to its customer) and the email index. */
  readonly identities: Pick<IdentityStore, "resolveIds" | "emailOwner">;
  /** A bounded page of one random scan slice: the sample a segment preview is estimated on. */
  readonly sample: Pick<ProfilePages, "page" | "approximateCount">;
  readonly segments: Pick<SegmentStore, "sizes" | "rfmThresholds">;
  readonly sizeHistory: SegmentSizeHistory;
  /** Who entered and left each segment per day. @default - the segment page lists no one */
  readonly changes?: Pick<SegmentChanges, "day">;
  readonly ledger: Pick<SendLedger, "recent">;
  readonly audit: AuditLog;
  readonly experiments: Pick<ExperimentCounters, "totals">;
  /** Dispatch decisions per campaign per day. @default - the campaign page shows no outcome chart */
  readonly outcomes?: Pick<CampaignOutcomeCounts, "days">;
  /** The segment library (read once, or on each call locally). */
  readonly segmentLibrary: () => SegmentLibrary;
  readonly campaignLibrary: () => CampaignLibrary;
  readonly templates: TemplateSource;
  /** The sample profiles a template can be previewed for (`templates/samples`). */
  readonly sampleProfiles: () => readonly SampleProfile[];
  /** For the recommendations and content blocks of previews. */
  readonly catalog: Catalog;
  readonly contentLibrary?: ContentLibrary;
  readonly clock: Clock;
  /** A random number in [0, 1): which scan slice a sample is read from. @default Math.random */
  readonly random?: () => number;
  /** What a campaign's dry run reads besides the stores above. @default - the console offers no dry run */
  readonly dryRun?: ConsoleDryRunDeps;
}

/** Items (index entries or profiles) a console dry run reads at most: past it, its counts are a sample. */
export const CONSOLE_DRY_RUN_MAX_READ = 2_000;
/** How long a console dry run starts pages for: well within the API function's 30 s and API Gateway's 30 s. */
export const CONSOLE_DRY_RUN_BUDGET_MS = 10_000;

/**
 * What the console's dry run reads besides the console's own stores: the fan-out's audience readers (the
 * membership index, its status, the profiles' scan pages), the shop the emails show, the recommender.
 */
export interface ConsoleDryRunDeps {
  readonly audience: AudienceReads;
  readonly shop: ShopView;
  /** @default - best sellers, as dispatch without a model */
  readonly recommender?: Recommender;
  /** @default 2,000 (`CONSOLE_DRY_RUN_MAX_READ`) */
  readonly maxRead?: number;
  /** @default 10 s (`CONSOLE_DRY_RUN_BUDGET_MS`) */
  readonly budgetMs?: number;
}
