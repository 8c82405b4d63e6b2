import type { LedgerEntry } from "#shared/domain/campaigns/contracts.js";
import type { SendLedger } from "#shared/ports.js";
import type { Product } from "#shared/sim/catalog.js";
import type { SentMail } from "#shared/sim/sent-mail.js";

export const API = "http://127.0.0.1:8006";
export const UNSUBSCRIBE = `${API}/unsubscribe?t=eyJwIjoidSJ9.c2ln`;
export const PREFERENCES = `${API}/preferences?t=eyJwIjoicCJ9.c2ln`;
export const VIEW = `${API}/view?t=eyJwIjoidiJ9.c2ln`;

/** The send log, in memory: what `recent` needs. */
export class FakeLedger implements Pick<SendLedger, "recent"> {
  readonly #byCustomer = new Map<string, LedgerEntry[]>();
  calls = 0;

  add(entry: LedgerEntry): void {
    const list = this.#byCustomer.get(entry.customerId) ?? [];
    list.unshift(entry);
    this.#byCustomer.set(entry.customerId, list);
  }

  async recent(customerId: string, sinceMs: number, limit = 100): Promise<LedgerEntry[]> {
    this.calls++;
    return (this.#byCustomer.get(customerId) ?? []).filter((e) => e.at >= sinceMs).slice(0, limit);
  }
}

/** An email as a campaign renders it: a product card, a shop link and the footer's signed links. */
export function campaignHtml(product: Product | undefined): string {
  const tags = "utm_source=tailor&amp;utm_medium=email&amp;utm_campaign=cart_abandonment&amp;utm_content=b";
  return [
    "<html><body>",
    product === undefined ? "" : `<a href="${product.url}?${tags}"><img src="${product.imageUrl}"></a>`,
    product === undefined ? "" : `<a href='${product.url}?${tags}'>View</a>`,
    `<a href="https://example.com/?code=VIP15&amp;${tags}">Shop with 15% off</a>`,
    `<a href="${UNSUBSCRIBE}">Unsubscribe</a> · <a href="${PREFERENCES}">Email preferences</a>`,
    `<a href="${VIEW}">View in browser</a> <a href="mailto:help@shop.example">Help</a>`,
    "</body></html>",
  ].join("\n");
}

/** One stored email to `to`, and its ledger entry (campaign, variant, message id) sent at `at`. */
export function sentMail(
  ledger: FakeLedger,
  options: { messageId: string; to: string; customerId: string; at: number; html: string },
): SentMail {
  ledger.add({
    key: `cart_abandonment#${options.customerId}#${options.messageId}`,
    customerId: options.customerId,
    campaignId: "cart_abandonment",
    purpose: "marketing",
    priority: 50,
    at: options.at,
    outcome: "sent",
    variant: "b",
    messageId: options.messageId,
  });
  return {
    messageId: options.messageId,
    from: "Shop <news@shop.example>",
    to: [options.to],
    subject: "You left something behind",
    html: options.html,
    text: "You left something behind",
    headers: [
      { name: "List-Unsubscribe", value: `<${UNSUBSCRIBE}>, <mailto:unsubscribe@shop.example>` },
      { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
    ],
    storedAt: options.at,
  };
}
