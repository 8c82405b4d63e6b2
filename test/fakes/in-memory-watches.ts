import type { Watch, Watcher } from "#shared/domain/catalog/index.js";
import type { JsonValue } from "#shared/domain/privacy/json-value.js";
import type { CustomerItems, WatcherPage, WatchIndex } from "#shared/ports.js";

/** The watch index in memory, keyed like the table (product, customer); `failNext` refuses that many records. */
export class InMemoryWatchIndex implements WatchIndex, CustomerItems<{ [key: string]: JsonValue }> {
  readonly items = new Map<string, { productId: string; customerId: string; v?: number; k?: number }>();
  /** Every watch recorded, in order (the writes). */
  readonly recorded: Watch[] = [];
  failNext = 0;

  async record(watches: readonly Watch[]): Promise<number> {
    if (watches.length > 0 && this.failNext > 0) {
      this.failNext--;
      throw new Error("watch index unavailable");
    }
    for (const watch of watches) {
      this.recorded.push(watch);
      const key = `${watch.productId}|${watch.customerId}`;
      const item = this.items.get(key) ?? { productId: watch.productId, customerId: watch.customerId };
      const field = watch.how === "viewed" ? "v" : "k";
      item[field] = Math.max(item[field] ?? 0, watch.at);
      this.items.set(key, item);
    }
    return watches.length;
  }

  async forget(customerId: string, productIds: readonly string[]): Promise<number> {
    for (const productId of productIds) this.items.delete(`${productId}|${customerId}`);
    return productIds.length;
  }

  async watchers(productId: string, options: { readonly since: number }): Promise<WatcherPage> {
    const watchers: Watcher[] = [];
    for (const item of this.items.values()) {
      if (item.productId !== productId) continue;
      const viewedAt = item.v !== undefined && item.v >= options.since ? item.v : undefined;
      const cartedAt = item.k !== undefined && item.k >= options.since ? item.k : undefined;
      if (viewedAt === undefined && cartedAt === undefined) continue;
      watchers.push({
        customerId: item.customerId,
        ...(viewedAt === undefined ? {} : { viewedAt }),
        ...(cartedAt === undefined ? {} : { cartedAt }),
      });
    }
    return { watchers };
  }

  async list(customerId: string): Promise<{ [key: string]: JsonValue }[]> {
    return [...this.items.values()]
      .filter((i) => i.customerId === customerId)
      .map((i) => ({ productId: i.productId }));
  }

  async erase(customerId: string): Promise<number> {
    const mine = [...this.items.entries()].filter(([, item]) => item.customerId === customerId);
    for (const [key] of mine) this.items.delete(key);
    return mine.length;
  }
}
