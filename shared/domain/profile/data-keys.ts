import { isSafeKey } from "../events/index.js";

/** Marks a stored key that stands for another: `~constructor` is the data key `constructor`. */
const ESCAPE = "~";

/**
 * The key under which a data value (a campaign id, …) is stored in a profile map. A key a plain object would
 * confuse with its internals (`constructor`, `__proto__`, `toString`, … see {@link isSafeKey}) cannot be a map
 * key in the item (the SDK's `marshall` refuses an own `constructor`, `unmarshall` turns `__proto__` into a
 * prototype), so it is stored behind a `~`, as is any key that already starts with `~`: the mapping is
 * one-to-one and {@link fromStoredKey} undoes it. Every other key is stored as it is.
 */
export function toStoredKey(key: string): string {
  return isSafeKey(key) && !key.startsWith(ESCAPE) ? key : `${ESCAPE}${key}`;
}

/** The data key a stored key stands for (see {@link toStoredKey}). */
export function fromStoredKey(stored: string): string {
  return stored.startsWith(ESCAPE) ? stored.slice(ESCAPE.length) : stored;
}

/**
 * The entry of `map` under `key` when `map` has it as its own: never a value inherited from `Object.prototype`
 * (`counts.toString` is a function, not a count).
 */
export function ownEntry<V>(map: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
