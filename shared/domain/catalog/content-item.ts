/**
 * An item of the content library (an article, a tip, a guide): chosen for a customer by its interest tags
 * against the customer's interests (categories and content viewed) and recent activity.
 */
export interface ContentItem {
  readonly id: string;
  readonly kind: "article" | "tip" | "guide";
  readonly title: string;
  /** A sentence or two, plain text. */
  readonly summary: string;
  readonly url: string;
  readonly imageUrl?: string;
  /** Interest tags (lower case): product categories and topics. */
  readonly tags: readonly string[];
  /** BCP 47 locale of the text, when the library holds translations. */
  readonly locale?: string;
  /** When it was published (epoch ms): newer first among equals. */
  readonly publishedAt?: number;
}
