const MAX_DEPTH = 8;

/**
 * True when `JSON.stringify` tells `value` apart from every other value a Liquid body could read differently:
 * strings, finite numbers other than -0, booleans, null, arrays without holes or absent items, and plain objects
 * whose own properties are all enumerable (Liquid reads own properties only), at most 8 levels deep. Absent
 * properties of objects are left out by JSON, which is safe: a body reading one sees `undefined` either way.
 */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || value[i] === undefined || !isPlainData(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      let count = 0;
      for (const key in value) {
        count++;
        if (!isPlainData(Reflect.get(value, key), depth + 1)) return false;
      }
      return Object.getOwnPropertyNames(value).length === count;
    }
    default:
      return false;
  }
}

/**
 * A cache key for the values of a `{% cache %}` tag: equal exactly when the values are equal as plain data, so a
 * body that reads nothing but these values renders the same for equal keys. Values that are not plain data (a
 * Drop, a function, a Date, a class instance, NaN, an absent list item, a deeper value) have no key: the body is
 * rendered without the cache.
 */
export function fragmentKey(values: readonly unknown[]): string | undefined {
  for (const value of values) if (value === undefined || !isPlainData(value, 0)) return undefined;
  return JSON.stringify(values);
}
