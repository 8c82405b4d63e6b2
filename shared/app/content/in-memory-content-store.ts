import type { ContentItem } from "../../domain/catalog/index.js";
import type { ContentStore } from "../../ports.js";

/** A content library held in memory: for previews, build checks and tests. */
export class InMemoryContentStore implements ContentStore {
  readonly #items = new Map<string, ContentItem>();
  /** Calls to {@link put} and {@link retire}, for tests that count writes. */
  writes = 0;

  constructor(items: readonly ContentItem[] = []) {
    for (const item of items) this.#items.set(item.id, item);
  }

  async all(): Promise<readonly ContentItem[]> {
    return [...this.#items.values()];
  }

  async put(items: readonly ContentItem[]): Promise<void> {
    this.writes++;
    for (const item of items) this.#items.set(item.id, item);
  }

  async retire(ids: readonly string[]): Promise<void> {
    this.writes++;
    for (const id of ids) this.#items.delete(id);
  }
}
