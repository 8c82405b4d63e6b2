import type { CampaignLibrary } from "../domain/campaigns/library.js";
import type {
  CampaignOutcomeCounts,
  Clock,
  CustomerItems,
  EventWriter,
  ExperimentCounters,
  IdentityStore,
  LedgerItem,
  Mailer,
  OpenHourPriorStore,
  PendingTimer,
  ProfileStore,
  SendLedger,
  SendTimers,
  ShortLinkStore,
  SmsSender,
} from "../ports.js";
import type { EmailRenderer } from "../render/email-renderer.js";
import type { LinkKeyRing } from "../render/link-keys.js";
import type { ShopView } from "../render/render-context.js";
import type { LinkSettings } from "../render/signed-links.js";
import type { SmsRenderer } from "../render/sms-templates.js";
import type { CustomerLockOptions } from "./customer-send-lock.js";
import type { EmailContextDeps } from "./email-context.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { BackoffOptions } from "./send-with-backoff.js";
import type { SubjectOverrides } from "./subject-override.js";

/** The SMS channel of dispatch (`-c sms=on`). */
export interface SmsDispatchDeps {
  readonly sender: SmsSender;
  /** Renders `templates/sms/<name>.liquid` (refusing a text over its template's segment limit). */
  readonly renderer: Pick<SmsRenderer, "render"> & Partial<Pick<SmsRenderer, "reads">>;
  /**
   * Remembers the customer each number was texted for, so a STOP reply finds its customer.
   * @default - not remembered (replies are then unattributed)
   */
  readonly recipients?: { remember(phone: string, customerId: string): Promise<void> };
  /**
   * Tailor's short links: each URL of a text is sent as `<apiBaseUrl>/l/<token>` (signed with the batch's link
   * key), its target stored with the send, so a click is recorded as `SMS Clicked` and redirected.
   * @default - links are sent as written
   */
  readonly links?: {
    readonly store: Pick<ShortLinkStore, "put">;
    /** The HTTP API's base URL (`PUBLIC_API_URL`). */
    readonly apiBaseUrl: string;
    /** How long a link leads somewhere. */
    readonly ttlMs: number;
  };
}

/** What `dispatchSends` needs: the ledger, profiles, campaigns, rendering, and the mailer behind a rate limit. */
export interface DispatchDeps {
  readonly ledger: SendLedger;
  readonly profiles: Pick<ProfileStore, "get">;
  /**
   * The identity map: an intent of an id merged into another customer since it was made (a journey started
   * anonymously) is sent to that customer. @default - such an intent is skipped as an unknown customer
   */
  readonly identities?: Pick<IdentityStore, "resolveIds">;
  readonly library: CampaignLibrary;
  /** Where deferred sends wait (quiet hours). */
  readonly sendTimers: SendTimers;
  /**
   * Renders the emails. `reads` tells whether a template shows the `content` block: without it every email is
   * taken to show it.
   */
  readonly renderer: Pick<EmailRenderer, "render" | "templates"> & Partial<Pick<EmailRenderer, "reads">>;
  /** Catalog and optional recommender of the emails' products, and the optional content library. */
  readonly content: EmailContextDeps;
  readonly links: LinkSettings;
  /**
   * The link key ring, read (through its cache) at the start of each batch: the batch's links are signed with its
   * current key, so a rotation reaches a warm container within the cache's age.
   * @default - `links` as given, for the container's life
   */
  readonly linkKeys?: () => Promise<LinkKeyRing>;
  readonly shop: ShopView;
  readonly mailer: Mailer;
  /** Paces every SES call, retries included. */
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  /** Retries of retryable mailer errors. @default 4 attempts, 200 ms base, real sleep */
  readonly backoff?: Partial<Omit<BackoffOptions, "limiter">>;
  /** Customers dispatched in parallel (one customer's intents always go one after the other). @default 4 */
  readonly concurrency?: number;
  /**
   * How a send under a frequency cap waits for the customer's send lock held by a parallel batch.
   * @default - up to 2 s, real time
   */
  readonly customerLock?: CustomerLockOptions;
  /**
   * Where holdout decisions go as `Email Held Out` events (the event stream), so the fold remembers the holdout's
   * touch and the customer's orders count for the holdout arm. @default - holdouts are not attributed
   */
  readonly events?: EventWriter;
  /**
   * The open-hour prior learned from the population's opens (through a per-container cache): the prior of
   * `sendTime: best` when it rests on enough opens. @default - the default prior
   */
  readonly openHourPriors?: Pick<OpenHourPriorStore, "get">;
  /** The SMS channel. @default - off: a step that would go out by SMS is skipped, saying so */
  readonly sms?: SmsDispatchDeps;
  /** Experiment counters: sends per campaign arm, and holdouts. @default - nothing counted */
  readonly experiments?: ExperimentCounters;
  /** Decisions per campaign per day by outcome and reason kind (the console's chart). @default - not counted */
  readonly outcomes?: CampaignOutcomeCounts;
  /** Renders campaign variants' subjects. @default one shared per process */
  readonly subjects?: SubjectOverrides;
  /**
   * Erasure's reach into the ledger and the timers. After handling an intent, dispatch reads the profile again;
   * when it is gone (the customer was erased meanwhile), it removes what it wrote for the customer, so no claim,
   * log entry or timer outlives the erasure. @default - left in place (a later erasure removes it)
   */
  readonly erased?: {
    readonly ledger: Pick<CustomerItems<LedgerItem>, "erase">;
    readonly timers: Pick<CustomerItems<PendingTimer>, "erase">;
  };
}
