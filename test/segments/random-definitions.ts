import { parseSegmentDefinition, type SegmentDefinition } from "#shared/domain/segments/index.js";
import { CATEGORIES, Rng } from "#shared/sim/index.js";

type Raw = Record<string, unknown>;

const WINDOWED = [
  "Product Viewed",
  "Product Added",
  "Product Removed",
  "Checkout Started",
  "Order Completed",
  "Email Delivered",
  "Email Opened",
  "Email Clicked",
  "Page Viewed",
];
const PRODUCT_EVENTS = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"];
const ALL_TIME = [...WINDOWED, "Cart Viewed", "Identify", "Products Searched", "Consent Updated"];
const HOURS = ["1h", "2h", "3h", "6h", "12h", "23h", "24h", "25h", "36h", "47h", "48h"];
const DAYS = ["3d", "7d", "14d", "30d", "60d", "90d"];
const KNOWN_EVENTS = [...WINDOWED, "Cart Viewed", "Identify"];

function countKeys(rng: Rng, high: number): Raw {
  const k = rng.intBetween(0, high);
  switch (rng.int(6)) {
    case 5:
      return {};
    case 0:
      return { atLeast: Math.max(1, k) };
    case 1:
      return { atMost: k };
    case 2:
      return { moreThan: k };
    case 3:
      return { exactly: k };
    default:
      return { atLeast: k, atMost: k + rng.intBetween(0, 3) };
  }
}

function leaf(rng: Rng): Raw {
  switch (rng.int(17)) {
    case 0:
    case 1:
      return {
        event: {
          name: rng.pick(WINDOWED),
          within: rng.pick(rng.chance(0.5) ? HOURS : DAYS),
          ...countKeys(rng, 4),
        },
      };
    case 2:
    case 3: {
      const where = rng.chance(0.5)
        ? { category: rng.pick(CATEGORIES) }
        : { product_id: `prod-${rng.pick(CATEGORIES)}-${String(rng.intBetween(1, 5)).padStart(3, "0")}` };
      return {
        event: { name: rng.pick(PRODUCT_EVENTS), where, within: rng.pick(HOURS), ...countKeys(rng, 3) },
      };
    }
    case 4:
      return { event: { name: rng.pick(ALL_TIME), ...countKeys(rng, 6) } };
    case 5:
      return { noEvent: { name: rng.pick(WINDOWED), within: rng.pick([...HOURS, ...DAYS]) } };
    case 6:
      return { noEventSince: { name: rng.pick(KNOWN_EVENTS), since: rng.pick(KNOWN_EVENTS) } };
    case 7:
      return { ordersInCategory: { category: rng.pick(CATEGORIES), ...countKeys(rng, 2) } };
    case 8:
      return rng.pick<Raw>([
        { trait: { path: "country", in: ["US", "FR", "DE", "GB"] } },
        { trait: { path: "locale", prefix: rng.pick(["en", "fr", "es", "de"]) } },
        { trait: { path: "timezone", eq: "Europe/Paris" } },
        { trait: { path: "custom.loyalty_tier", eq: "gold" } },
        { trait: { path: "first_name", exists: rng.chance(0.5) } },
        { trait: { path: "city", gte: "M" } },
        { trait: { path: "country", notIn: ["US"] } },
        { trait: { path: "birthday", between: ["1980-01-01", "1995-12-31"] } },
      ]);
    case 9: {
      const low = rng.intBetween(18, 60);
      return { age: rng.chance(0.3) ? { gte: low } : { gte: low, lte: low + rng.intBetween(0, 15) } };
    }
    case 10: {
      const last = rng.chance(0.5) ? { overLastSends: rng.intBetween(3, 20) } : {};
      return {
        engagement: {
          openRate: { [rng.pick(["gt", "gte", "lt", "lte"])]: rng.pick([0, 0.25, 0.5, 0.7, 1]) },
          ...(rng.chance(0.5) ? { clickRate: { gte: rng.pick([0.1, 0.2, 0.3]) } } : {}),
          ...last,
          minSends: rng.intBetween(1, 3),
        },
      };
    }
    case 11: {
      const r = rng.intBetween(1, 5);
      return { rfm: { r: { gte: r }, ...(rng.chance(0.5) ? { f: { lte: rng.intBetween(1, 5) } } : {}) } };
    }
    case 12:
      return {
        rfmCohort: rng.pick([
          "champions",
          "loyal",
          "potential_loyalist",
          "new_customers",
          "at_risk",
          "cant_lose",
          "hibernating",
          "lost",
        ]),
      };
    case 13:
      return {
        lifecycle: {
          in: rng.pick([
            ["new_lead"],
            ["active", "repeat_buyer"],
            ["lapsed"],
            ["lapsed", "churned"],
            ["churned"],
          ]),
        },
      };
    case 14:
      return { score: { model: "purchase_30d", gte: rng.pick([0.2, 0.5, 0.8]) } };
    case 15:
      return { tier: { model: "churn", in: [rng.pick(["high", "medium", "low"])] } };
    default:
      return { cluster: { in: rng.pick([[0], [1, 2], [4], [0, 3, 4]]) } };
  }
}

function node(rng: Rng, depth: number): Raw {
  if (depth >= 3 || rng.chance(0.45)) return leaf(rng);
  const roll = rng.int(3);
  if (roll === 2) return { not: node(rng, depth + 1) };
  const children = Array.from({ length: rng.intBetween(1, 3) }, () => node(rng, depth + 1));
  return roll === 0 ? { all: children } : { any: children };
}

/** `count` random definitions (ids `random-<n>`) over the simulator's vocabulary, checked by the schema. */
export function randomDefinitions(seed: number, count: number): SegmentDefinition[] {
  const rng = Rng.derive(seed, "definitions");
  return Array.from({ length: count }, (_, i) => {
    const raw = { id: `random-${i}`, name: `Random ${i}`, version: 1, rule: node(rng, 0) };
    const parsed = parseSegmentDefinition(raw);
    if (!parsed.ok)
      throw new Error(`random definition rejected: ${JSON.stringify(parsed.issues)} ${JSON.stringify(raw)}`);
    return parsed.definition;
  });
}
