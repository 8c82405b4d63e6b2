/** A route of an HTTP API, ready to match requests. */
export interface RouteMatcher<T> {
  readonly routeKey: string;
  readonly target: T;
}

/** The route a request matched, with its path parameters. */
export interface RouteMatch<T> {
  readonly routeKey: string;
  readonly target: T;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

interface Compiled<T> {
  readonly route: RouteMatcher<T>;
  /** `undefined` for `$default`; `ANY` for every method. */
  readonly method: string | undefined;
  readonly segments: readonly string[];
}

function compile<T>(route: RouteMatcher<T>): Compiled<T> {
  if (route.routeKey === "$default") return { route, method: undefined, segments: [] };
  const [method = "", path = "/"] = route.routeKey.split(/\s+/, 2);
  return { route, method: method.toUpperCase(), segments: path.split("/").filter((s) => s !== "") };
}

const isParam = (segment: string) => segment.startsWith("{") && segment.endsWith("}");
const isGreedy = (segment: string) => segment.startsWith("{") && segment.endsWith("+}");

function matchPath(
  segments: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    if (isGreedy(segment)) {
      if (i !== segments.length - 1 || parts.length <= i) return undefined;
      params[segment.slice(1, -2)] = parts.slice(i).join("/");
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (isParam(segment)) params[segment.slice(1, -1)] = part;
    else if (segment !== part) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

/** How specific a route is, as API Gateway ranks candidates: literal segments, then no greedy one, then a method. */
function rank(compiled: Compiled<unknown>): number[] {
  const { segments, method } = compiled;
  return [
    method === undefined ? 0 : 1,
    segments.filter((s) => !isParam(s)).length,
    segments.some(isGreedy) ? 0 : 1,
    segments.length,
    method === "ANY" ? 0 : 1,
  ];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (b[i] ?? 0) - (a[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Matches requests to an HTTP API's routes as API Gateway does: `METHOD /path` with `{param}` and a last
 * `{param+}` segment, `ANY` for every method, the most specific route first, and `$default` when nothing else
 * matches. Paths are matched on their decoded segments.
 */
export function routeMatcher<T>(routes: readonly RouteMatcher<T>[]) {
  const compiled = routes.map(compile).sort((a, b) => compare(rank(a), rank(b)));
  return (method: string, path: string): RouteMatch<T> | undefined => {
    const parts = path
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    for (const candidate of compiled) {
      if (candidate.method === undefined) {
        return {
          routeKey: candidate.route.routeKey,
          target: candidate.route.target,
          pathParameters: undefined,
        };
      }
      if (candidate.method !== "ANY" && candidate.method !== method.toUpperCase()) continue;
      const params = matchPath(candidate.segments, parts);
      if (params === undefined) continue;
      return {
        routeKey: candidate.route.routeKey,
        target: candidate.route.target,
        pathParameters: Object.keys(params).length > 0 ? params : undefined,
      };
    }
    return undefined;
  };
}
