import type { SendLedger } from "../ports.js";

/** How far back dispatch looks for the last message that showed content items or an offer (rotation). */
export const CONTENT_ROTATION_LOOKBACK_MS = 90 * 24 * 3_600_000;
/** Sent messages read to find the last that showed content items, and the last that showed an offer. */
const CONTENT_ROTATION_ENTRIES = 10;

/** What the customer's last messages showed: not shown again in a row (rotation). */
export interface LastShown {
  /** The content ids of the last sent email that showed some. */
  readonly contentIds: readonly string[];
  /** The code of the offer of the last sent message (email or text) that showed one. */
  readonly offerId?: string;
}

/**
 * The content ids of the customer's last sent email that showed some, and the offer of the last sent message that
 * showed one, from one read of the ledger's newest sent entries. Messages without a content block (or without an
 * offer) in between do not reset either rotation.
 */
export async function lastShown(
  ledger: Pick<SendLedger, "recent">,
  customerId: string,
  now: number,
): Promise<LastShown> {
  const sent = await ledger.recent(
    customerId,
    now - CONTENT_ROTATION_LOOKBACK_MS,
    CONTENT_ROTATION_ENTRIES,
    "sent",
  );
  const contentIds = sent.find((entry) => (entry.contentIds?.length ?? 0) > 0)?.contentIds ?? [];
  const offerId = sent.find((entry) => entry.offerId !== undefined)?.offerId;
  return { contentIds, ...(offerId === undefined ? {} : { offerId }) };
}
