/**
 * Contracts between campaign definitions and policy (pure) and the send machinery (ledger, mailer, dispatch).
 * Pure types: no I/O.
 */

import type { CatalogChange } from "../catalog/index.js";

/** A line of an order or cart as a journey remembers it from its trigger. */
export interface TriggerLine {
  readonly productId: string;
  readonly quantity: number;
  readonly name?: string;
  readonly category?: string;
  /** Unit price in major units of the trigger's currency. */
  readonly price?: number;
}

/**
 * The event that started a journey, as the journey's emails show it (bounded: at most
 * {@link TRIGGER_LINES_MAX} lines): the order that was placed, the cart as it was, the product viewed, or the
 * catalog change.
 */
export type JourneyTrigger =
  | {
      readonly kind: "order";
      readonly at: number;
      readonly orderId: string;
      /** The shop's order number when it differs from the id (e.g. `#1042`). */
      readonly number?: string;
      readonly currency: string;
      /** Major units. */
      readonly total?: number;
      readonly subtotal?: number;
      readonly shipping?: number;
      readonly tax?: number;
      readonly discount?: number;
      readonly lines: readonly TriggerLine[];
      /** Lines of the order past {@link TRIGGER_LINES_MAX}, not kept (absent when none). */
      readonly moreLines?: number;
    }
  | {
      readonly kind: "cart";
      readonly at: number;
      readonly currency: string;
      readonly lines: readonly TriggerLine[];
      /** Lines of the cart past {@link TRIGGER_LINES_MAX}, not kept (absent when none). */
      readonly moreLines?: number;
    }
  | {
      /** The product whose view started the journey (browse abandonment). */
      readonly kind: "product";
      readonly at: number;
      readonly currency: string;
      readonly product: TriggerLine;
    }
  | { readonly kind: "catalog"; readonly change: CatalogChange };

/** Most lines a {@link JourneyTrigger} keeps (the rest are counted in the email, not listed). */
export const TRIGGER_LINES_MAX = 50;

/** How a send reaches the customer. */
export type Channel = "email" | "sms";

/** Why an email is sent: marketing needs marketing consent; transactional needs only not being suppressed. */
export type SendPurpose = "marketing" | "transactional";

/**
 * One email a campaign wants to send to one customer. `key` is deterministic — `${campaignId}#${customerId}#
 * ${occurrence}#${step}` — and is the send ledger's idempotency key: retries, replays and duplicate events
 * never send twice.
 */
export interface SendIntent {
  readonly key: string;
  readonly campaignId: string;
  readonly customerId: string;
  /** What this journey is about: e.g. the time the cart was started, the order id, the schedule tick. */
  readonly occurrence: string;
  /** Step of the campaign (0 for the first email, 1 for the reminder …). */
  readonly step: number;
  readonly template: string;
  /** When it should go out (epoch ms): now for immediate, later for delays. */
  readonly dueAt: number;
  /** When the journey started (epoch ms): exit conditions look at events after it. */
  readonly startedAt: number;
  /** The event that started the journey, for event- and catalog-triggered campaigns. */
  readonly trigger?: JourneyTrigger;
}

/** What the policy decided at send time. */
export type SendDecision =
  | {
      readonly kind: "send";
      readonly variant: string;
      /** The channel chosen for the step (`email-else-sms` picks one). @default "email" */
      readonly channel?: Channel;
    }
  | { readonly kind: "holdout"; readonly reason: string }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "defer"; readonly until: number; readonly reason: string };

/** A send or a decision not to send, as the ledger keeps it (for `tailor explain`, caps and reports). */
export interface LedgerEntry {
  readonly key: string;
  readonly customerId: string;
  readonly campaignId: string;
  readonly purpose: SendPurpose;
  readonly priority: number;
  readonly at: number;
  readonly outcome: "sent" | "holdout" | "skipped" | "deferred" | "failed";
  /** The channel of a send (absent: email). Caps count every channel, per-channel caps only their own. */
  readonly channel?: Channel;
  readonly variant?: string;
  /** e.g. "capped: 3 marketing emails in 7 days", "quiet hours until 08:00 Europe/Paris", "exited: Order Completed". */
  readonly reason?: string;
  /** The provider's message id when sent. */
  readonly messageId?: string;
  /**
   * Ids of the content library items the email showed (its `content` block), at most `CONTENT_BLOCK_MAX`: the
   * next email does not show them again (rotation).
   */
  readonly contentIds?: readonly string[];
  /**
   * The code of the offer the message showed (its offer block, or a text's `offer`): the next message offers
   * another when the customer is eligible for one (rotation).
   */
  readonly offerId?: string;
  /** Ids of a text's short links (`l#<id>` items of the ledger table): erased with the customer. */
  readonly linkIds?: readonly string[];
}
