/**
 * Contracts between campaign definitions and policy (pure) and the send machinery (ledger, mailer, dispatch).
 * Pure types: no I/O.
 */

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
}

/** What the policy decided at send time. */
export type SendDecision =
  | { readonly kind: "send"; readonly variant: string }
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
  readonly variant?: string;
  /** e.g. "capped: 3 marketing emails in 7 days", "quiet hours until 08:00 Europe/Paris", "exited: Order Completed". */
  readonly reason?: string;
  /** The provider's message id when sent. */
  readonly messageId?: string;
}
