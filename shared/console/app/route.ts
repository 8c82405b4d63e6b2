import { useEffect, useState } from "preact/hooks";

/** The page a hash names: `#/customers/<id>` → `["customers", "<id>"]` (decoded). */
export type Route = readonly string[];

function parse(hash: string): Route | undefined {
  if (!hash.startsWith("#/")) return undefined;
  const [path = ""] = hash.slice(2).split("?");
  return path
    .split("/")
    .filter((part) => part !== "")
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}

/** The route of the location's hash; a hash that is no route (`#main`, the skip link's) keeps the last route. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parse(location.hash) ?? ["customers"]);
  useEffect(() => {
    const onChange = () => {
      const next = parse(location.hash);
      if (next !== undefined) setRoute(next.length === 0 ? ["customers"] : next);
    };
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** The hash of a route: `href("customers", id)` → `#/customers/<id encoded>`. */
export const href = (...parts: readonly string[]): string =>
  `#/${parts.map((part) => encodeURIComponent(part)).join("/")}`;
