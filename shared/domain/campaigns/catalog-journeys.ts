import type { CatalogChange } from "../catalog/index.js";
import type { Watcher, WatchKind } from "../catalog/watches.js";
import type { Profile } from "../profile/index.js";
import type { SendIntent } from "./contracts.js";
import type { CampaignDefinition, CatalogTrigger, MinDrop } from "./definition.js";
import { journeyIntents } from "./journey.js";
import type { CampaignLibrary } from "./library.js";
import { TRIGGER_MAX_AGE_MS } from "./triggers.js";

/**
 * The occurrence of a catalog journey: the change's kind, product and time (`back-in-stock:p-42@1764000000000`),
 * so a change delivered twice, or a page of watchers read twice, yields the same send keys.
 */
export function catalogOccurrence(change: CatalogChange): string {
  return `${change.kind}:${change.productId}@${change.at}`;
}

/** Whether a price drop is at least `minDrop` (any drop without one); back in stock always counts. */
export function dropIsEnough(change: CatalogChange, minDrop: MinDrop | undefined): boolean {
  if (change.kind !== "price-drop") return true;
  const drop = change.before - change.after;
  if (drop <= 0) return false;
  if (minDrop === undefined) return true;
  if (minDrop.kind === "amount") return drop >= minDrop.amount;
  return change.before > 0 && (drop / change.before) * 100 >= minDrop.percent;
}

/**
 * When the customer last bought the product, as far as the profile tells: the time of the last order when the
 * product is among the products bought (`bp`, the newest 30). The profile does not keep which order had which
 * product, so a product bought long ago counts as bought at the last order: the journey errs towards silence.
 */
export function lastBoughtAt(profile: Profile, productId: string): number | undefined {
  const last = profile.o?.l;
  return last !== undefined && profile.bp?.includes(productId) === true ? last : undefined;
}

/** The currency the customer pays in when the profile knows it: its orders', else its cart's. */
export function customerCurrency(profile: Profile): string | undefined {
  return profile.o?.c ?? (profile.ct !== undefined && profile.ct.i.length > 0 ? profile.ct.c : undefined);
}

/** The newest of the watcher's interests that `trigger` counts, inside its window before the change. */
function interestAt(trigger: CatalogTrigger, watcher: Watcher, changeAt: number): number | undefined {
  let newest: number | undefined;
  const consider = (at: number | undefined) => {
    if (at === undefined || at > changeAt || at < changeAt - trigger.withinMs) return;
    newest = newest === undefined ? at : Math.max(newest, at);
  };
  if (trigger.watched.includes("viewed")) consider(watcher.viewedAt);
  if (trigger.watched.includes("carted")) consider(watcher.cartedAt);
  return newest;
}

/**
 * The interests some catalog campaign of the library counts: what ingest records in the watch index. Empty when
 * no campaign has a catalog trigger (then nothing is recorded at all).
 */
export function watchedKinds(library: CampaignLibrary): ReadonlySet<WatchKind> {
  const kinds = new Set<WatchKind>();
  for (const campaign of library.campaigns) {
    if (campaign.trigger.kind === "catalog") for (const how of campaign.trigger.watched) kinds.add(how);
  }
  return kinds;
}

/** What {@link intentsForCatalogChange} decided for one watcher and campaign, for counting and tests. */
export type WatcherVerdict =
  | "journey"
  | "outside-window"
  | "bought"
  | "other-currency"
  | "unknown-customer"
  | "drop-too-small";

/**
 * The send intents one catalog change creates for a page of the product's watchers: for every campaign whose
 * catalog trigger is of the change's kind (a price drop at least `minDrop`), one journey per watcher who viewed
 * or carted the product (as `watched` says) within `within` before the change, each step with the trigger
 * `{ kind: "catalog", change }`. Left out: watchers who bought the product since their interest, for a price drop
 * customers who pay in another currency, and, when `profiles` is given, customers without a profile (unknown or
 * erased). Every intent's occurrence is {@link catalogOccurrence}: a redelivered change, or a page read twice,
 * yields the same keys, and the send ledger sends each once. A change older than `maxAgeMs` (a message stuck in
 * the queue for a day) starts nothing. Call it page by page; `verdicts` (optional) receives each decision.
 */
export function intentsForCatalogChange(
  library: CampaignLibrary,
  change: CatalogChange,
  watchers: readonly Watcher[],
  now: number,
  options: {
    readonly profiles?: ReadonlyMap<string, Profile>;
    readonly maxAgeMs?: number;
    readonly verdicts?: (customerId: string, campaignId: string, verdict: WatcherVerdict) => void;
  } = {},
): SendIntent[] {
  if (change.at < now - (options.maxAgeMs ?? TRIGGER_MAX_AGE_MS)) return [];
  const occurrence = catalogOccurrence(change);
  const campaigns = library.campaigns.filter(
    (campaign): campaign is CampaignDefinition & { trigger: CatalogTrigger } =>
      campaign.trigger.kind === "catalog" && campaign.trigger.change === change.kind,
  );
  const intents: SendIntent[] = [];
  for (const campaign of campaigns) {
    const trigger = campaign.trigger;
    const enough = dropIsEnough(change, trigger.minDrop);
    for (const watcher of watchers) {
      const verdict = enough ? verdictOf(trigger, change, watcher, options.profiles) : "drop-too-small";
      options.verdicts?.(watcher.customerId, campaign.id, verdict);
      if (verdict !== "journey") continue;
      for (const intent of journeyIntents(campaign, watcher.customerId, occurrence, change.at, now)) {
        intents.push({ ...intent, trigger: { kind: "catalog", change } });
      }
    }
  }
  return intents;
}

function verdictOf(
  trigger: CatalogTrigger,
  change: CatalogChange,
  watcher: Watcher,
  profiles: ReadonlyMap<string, Profile> | undefined,
): WatcherVerdict {
  const since = interestAt(trigger, watcher, change.at);
  if (since === undefined) return "outside-window";
  if (profiles === undefined) return "journey";
  const profile = profiles.get(watcher.customerId);
  if (profile === undefined) return "unknown-customer";
  const bought = lastBoughtAt(profile, change.productId);
  if (bought !== undefined && bought >= since) return "bought";
  if (change.kind === "price-drop") {
    const currency = customerCurrency(profile);
    if (currency !== undefined && currency !== change.currency) return "other-currency";
  }
  return "journey";
}

/** A product as the catalog holds it at send time: what the exit conditions of a catalog journey look at. */
export interface ProductNow {
  readonly inStock: boolean;
  /** Units in stock when known. */
  readonly stock?: number;
  /** The default market's price and currency. */
  readonly price: number;
  readonly currency: string;
  /** Prices by currency, major units. */
  readonly prices?: Readonly<Record<string, number>>;
}

/** What the catalog says at send time: `product` absent means the catalog no longer has it. */
export interface CatalogFacts {
  readonly product?: ProductNow;
}

/** The product's price in `currency` now, when the catalog has one. */
function priceIn(product: ProductNow, currency: string): number | undefined {
  return product.prices?.[currency] ?? (product.currency === currency ? product.price : undefined);
}

/**
 * Why a catalog journey has ended, or undefined while it goes on: the customer bought the product since the
 * change (`exited: bought`), the product left the catalog (`exited: product no longer in the catalog`), it is
 * out of stock again (`exited: out of stock again`), or its price in the change's currency is back above the
 * dropped price (`exited: price back up`). Without `catalog` (not read), only the purchase is checked.
 */
export function catalogExit(
  intent: SendIntent,
  profile: Profile,
  catalog: CatalogFacts | undefined,
): string | undefined {
  if (intent.trigger?.kind !== "catalog") return undefined;
  const change = intent.trigger.change;
  const bought = lastBoughtAt(profile, change.productId);
  if (bought !== undefined && bought > intent.startedAt) return "exited: bought";
  if (catalog === undefined) return undefined;
  const product = catalog.product;
  if (product === undefined) return "exited: product no longer in the catalog";
  if (!product.inStock || (product.stock !== undefined && product.stock <= 0)) {
    return "exited: out of stock again";
  }
  if (change.kind === "price-drop") {
    const now = priceIn(product, change.currency);
    if (now !== undefined && now > change.after) return "exited: price back up";
  }
  return undefined;
}
