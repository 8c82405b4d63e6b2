import type { WatchKind } from "../catalog/watches.js";
import type { Scalar } from "../events/index.js";
import type { ScheduleExpression } from "../schedules/index.js";
import type { EventRef } from "../segments/index.js";
import type { SendPurpose } from "./contracts.js";

/** A test on one property of the trigger event: equal to a value, one of values, or present/absent. */
export type PropertyTest =
  | { readonly op: "eq"; readonly value: Scalar }
  | { readonly op: "in"; readonly values: readonly Scalar[] }
  | { readonly op: "exists"; readonly value: boolean };

/** When an EventBridge schedule fires: `rate(7 days)` or `cron(0 9 ? * MON *)`, as written and as read. */
export type Schedule = ScheduleExpression;

/** What starts a journey. */
export type Trigger =
  | {
      readonly kind: "event";
      readonly event: EventRef;
      /** Property tests the event must all pass (see `eventProperties`). */
      readonly where?: Readonly<Record<string, PropertyTest>>;
    }
  | { readonly kind: "segment"; readonly segmentId: string; readonly on: "entered" | "exited" }
  | { readonly kind: "schedule"; readonly schedule: Schedule; readonly audience: string }
  | CatalogTrigger;

/** The least drop that starts a price-drop journey: a share of the old price, or an amount in its currency. */
export type MinDrop =
  | { readonly kind: "percent"; readonly percent: number; readonly text: string }
  | { readonly kind: "amount"; readonly amount: number; readonly text: string };

/**
 * A change in the catalog (back in stock, a price drop) of a product the customer viewed or carted within
 * `withinMs` before the change (see `catalog-journeys.ts`).
 */
export interface CatalogTrigger {
  readonly kind: "catalog";
  readonly change: "back-in-stock" | "price-drop";
  /** For a price drop: the least drop that counts. @default - any drop */
  readonly minDrop?: MinDrop;
  /** The interest that counts, at least one. */
  readonly watched: readonly WatchKind[];
  readonly withinMs: number;
  /** The window as written (`30d`). */
  readonly within: string;
}

/** One arm of an experiment: its share of the non-holdout customers and what it changes. */
export interface Variant {
  /** A variant of the template (`a` is the template itself, others are folders under `variants/`). */
  readonly id: string;
  /** Relative weight (> 0). */
  readonly weight: number;
  /** Another template to send for this variant. */
  readonly template?: string;
  /** A Liquid subject replacing the template's subject. */
  readonly subject?: string;
  /**
   * How the email's products are recommended: `model` (the recommendation endpoint, then best sellers) or
   * `best-sellers` (in the customer's favourite category, then overall) — an algorithm under test.
   * @default "model"
   */
  readonly recommendations?: "model" | "best-sellers";
  /** When this variant's email goes out: at the customer's best hour, or when due (a fixed time). @default the step's */
  readonly sendTime?: SendTimeKind;
}

/** `best`: at the customer's most likely open hour within the step's window; `due`: when the step is due. */
export type SendTimeKind = "best" | "due";

/** A step's send time: when `kind` is `best`, the email waits up to `withinMs` after it is due for the best hour. */
export interface StepSendTime {
  readonly kind: SendTimeKind;
  readonly withinMs: number;
  /** The window as written (`24h`). */
  readonly within: string;
}

/** One email of a journey. */
export interface Step {
  /** Delay after the journey start (ms); 0 for immediate. */
  readonly delayMs: number;
  /** The delay as written (`4h`), or `0m`. */
  readonly delay: string;
  /** Template folder under `templates/emails`. */
  readonly template: string;
  /** Variants of this step, replacing the campaign's. */
  readonly variants?: readonly Variant[];
  /**
   * How the step reaches the customer: `email`, `sms`, or `email-else-sms` (email when the customer has an
   * address, consent and no suppression; else SMS when they have a phone and SMS consent). @default "email"
   */
  readonly channel?: StepChannel;
  /** The SMS template (`templates/sms/<name>.liquid`) for `sms` and `email-else-sms`. */
  readonly sms?: string;

  /** Send-time optimisation (`sendTime: best`, `within: 24h`); absent: sent when due. */
  readonly sendTime?: StepSendTime;
}

/** What a step's `channel` may say. */
export type StepChannel = "email" | "sms" | "email-else-sms";

/** Every {@link StepChannel}. */
export const STEP_CHANNELS = ["email", "sms", "email-else-sms"] as const;

/** At most `max` sent emails of the campaign's purpose (all campaigns together) in a rolling window. */
export interface FrequencyCap {
  readonly max: number;
  readonly perMs: number;
  /** The window as written (`7d`). */
  readonly per: string;
}

/** No email between `start` and `end` (local wall clock, minutes after midnight); overnight when start > end. */
export interface QuietHours {
  readonly startMinute: number;
  readonly endMinute: number;
  /** `21:00`. */
  readonly start: string;
  /** `08:00`. */
  readonly end: string;
  /** IANA zone used when the customer has no (valid) `timezone` trait. */
  readonly defaultTimeZone: string;
}

/**
 * What a marketing campaign does for a tired customer (see `fatigue.ts`): skips `fatigued` customers when the
 * campaign's `priority` is below `skipBelowPriority`, and lowers the frequency cap for `tired` and `fatigued`
 * ones when `lowerCap`.
 */
export interface FatiguePolicy {
  readonly skipBelowPriority: number;
  readonly lowerCap: boolean;
}

/** Send policy checked at send time. */
export interface SendPolicy {
  /** Counts the sends of every channel together (an email and a text both count). */
  readonly frequencyCap?: FrequencyCap;
  /** Caps of one channel each, on top of `frequencyCap`. */
  readonly channelCaps?: { readonly email?: FrequencyCap; readonly sms?: FrequencyCap };
  readonly quietHours?: QuietHours;
  /** Absent: the customer's fatigue is not looked at. */
  readonly fatigue?: FatiguePolicy;
}

/** When a customer may start the same campaign again (see `README.md`, "One journey at a time"). */
export type Reentry =
  | { readonly kind: "once" }
  | { readonly kind: "after"; readonly ms: number; readonly text: string };

/** What a journey may wait for (see `README.md`, "Waiting for what it needs"). */
export type WaitNeed = "email" | "consent";

/**
 * A journey's emails wait, each for at most `withinMs` after it is due, for what they need (an email address,
 * consent for the campaign's purpose) instead of being skipped; past the window they are skipped with the reason.
 */
export interface WaitFor {
  readonly needs: readonly WaitNeed[];
  readonly withinMs: number;
  /** The window as written (`24h`). */
  readonly within: string;
}

/**
 * An exit about the event that started the journey (its snapshot on the intent), checked at each step's send time:
 * - `product-carted`: the viewed product is in the cart (browse abandonment: cart abandonment takes over);
 * - `product-bought`: the viewed product was ordered after the journey started;
 * - `order-cancelled`, `order-refunded`: the order that started the journey was cancelled, or refunded in part
 *   or in whole.
 */
export type TriggerExit = "product-carted" | "product-bought" | "order-cancelled" | "order-refunded";

/** Every {@link TriggerExit}. */
export const TRIGGER_EXITS = [
  "product-carted",
  "product-bought",
  "order-cancelled",
  "order-refunded",
] as const;

/** A checked campaign definition: one file under `templates/campaigns/`. */
export interface CampaignDefinition {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly version: number;
  readonly purpose: SendPurpose;
  /** Higher is decided first when several sends compete for the last slot under the cap. */
  readonly priority: number;
  readonly trigger: Trigger;
  readonly steps: readonly Step[];
  /** Events that end the journey when they occur after its start. */
  readonly exitWhen: readonly EventRef[];
  /**
   * The journey ends when, at a step's send time, the customer's cart holds nothing (emptied by removals, or
   * never filled): a cart reminder is never sent for an empty cart.
   */
  readonly exitWhenCartEmpty?: boolean;
  /**
   * Exits about the trigger event's own product or order (`product-*` need a `Product Viewed` trigger,
   * `order-*` an `Order Completed` one): per product, per order, unlike `exitWhen`.
   */
  readonly exitWhenTrigger?: readonly TriggerExit[];
  readonly variants: readonly Variant[];
  /** Fraction 0–1 of customers who get nothing (the control group). */
  readonly holdout: number;
  /** Key of the assignment hash: the campaign id unless campaigns share an experiment. */
  readonly experiment: string;
  readonly reentry: Reentry;
  readonly policy: SendPolicy;
  /** What the journey's emails wait for when due; absent: they are skipped at once when unreachable. */
  readonly waitFor?: WaitFor;
}

/** The variant a campaign without `variants` sends: the template itself. */
export const BASE_VARIANT = "a";
