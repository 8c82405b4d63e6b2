import {
  affinityAt,
  averageOrderValue,
  cartValue,
  clockSkewNote,
  countInWindow,
  DAY_MS,
  emailEngagement,
  type GroupRef,
  lifecycleAt,
  type Profile,
} from "#shared/domain/profile/index.js";
import { minute, refusalText } from "./identity-graph.js";

/** Enough of the stored item's shape to read it as a {@link Profile} (the store checks no more either). */
export function isProfileItem(value: Record<string, unknown>): value is Profile {
  const { customerId, version, k, lc, dd } = value;
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  return (
    typeof customerId === "string" &&
    typeof version === "number" &&
    isObject(k) &&
    isObject(dd) &&
    isObject(lc) &&
    typeof lc === "object" &&
    lc !== null &&
    "s" in lc &&
    typeof lc.s === "string"
  );
}

const day = (ms: number | undefined) => (ms === undefined ? "—" : new Date(ms).toISOString().slice(0, 10));
const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;

/** Minor units in a currency's own precision (`12525 USD` → `$125.25`, `1250 JPY` → `¥1,250`). */
function money(minor: number, currency: string | undefined): string {
  if (currency === undefined) return String(minor);
  try {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/** `acme (name Acme Inc, plan enterprise)`: a group and its traits. */
function describeGroup(group: GroupRef): string {
  const traits = Object.entries(group.t ?? {}).map(([key, value]) => `${key} ${String(value)}`);
  return traits.length === 0 ? group.i : `${group.i} (${traits.join(", ")})`;
}

/** Refunds and cancels naming an order the profile does not remember (kept and counted, never booked). */
function unmatchedNote(orders: Profile["o"]): string | undefined {
  const parts = [
    orders?.ur ? `${orders.ur} refund${orders.ur === 1 ? "" : "s"}` : undefined,
    orders?.uc ? `${orders.uc} cancel${orders.uc === 1 ? "" : "s"}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : `${parts.join(" · ")} of orders not remembered (not booked)`;
}

/** A profile in words: a headline (id, name, email, version) and labelled rows. */
export interface ProfileInWords {
  readonly headline: string;
  readonly rows: readonly (readonly [label: string, value: string])[];
}

/**
 * A profile as a person reads it: who, lifecycle, orders, cart, interests, recent behaviour, email
 * engagement, consent, scores, groups, other ids. `now` places the time-dependent answers (lifecycle, 7-day
 * counts). Shared by `tailor profile` and the console.
 */
export function profileInWords(p: Profile, now: number): ProfileInWords {
  const traits = p.t ?? {};
  const name = [traits.first_name, traits.last_name].filter((part) => part !== undefined).join(" ");
  const who = [name, traits.email === undefined ? undefined : `<${traits.email}>`].filter(Boolean).join(" ");
  const lifecycle = lifecycleAt(p, now);
  const aov = averageOrderValue(p);
  const cart = p.ct?.i ?? [];
  const affinity = affinityAt(p, now).slice(0, 4);
  const week = (kind: "product_viewed" | "product_added" | "order_completed") =>
    countInWindow(p, kind, now - 7 * DAY_MS, now);
  const email = emailEngagement(p);
  const consent = Object.entries(p.c ?? {}).map(
    ([purpose, state]) => `${purpose} ${state.g ? "granted" : "refused"} ${day(state.at)}`,
  );
  const suppressed = Object.entries(p.s ?? {}).map(([kind, s]) => `${kind} (${s.r}, ${day(s.at)})`);
  const orders = p.o;
  const scores = Object.entries(p.sc ?? {}).map(
    ([model, score]) => `${model} ${score.p.toFixed(2)} ${score.t} (${day(score.at)})`,
  );
  if (p.cl !== undefined) scores.push(`cluster ${p.cl.c} (${day(p.cl.at)})`);
  const rows: [string, string][] = [
    ["lifecycle", `${lifecycle.s} since ${day(lifecycle.at)}`],
    ["seen", `${day(p.fs)} … ${day(p.ls)}`],
    [
      "orders",
      orders === undefined || orders.n === 0
        ? "none"
        : `${orders.n} · revenue ${money(orders.r, orders.c)} · average ${money(aov ?? 0, orders.c)} · ` +
          `last ${day(orders.l)}${orders.rn ? ` · ${orders.rn} refunded` : ""}` +
          `${orders.cn ? ` · ${orders.cn} cancelled` : ""}`,
    ],
    [
      "cart",
      cart.length === 0
        ? "empty"
        : `${cart.length} line${cart.length === 1 ? "" : "s"} · ${money(cartValue(p), p.ct?.c)}`,
    ],
    ["interests", affinity.map((a) => `${a.category} ${a.score.toFixed(1)}`).join(" · ") || "—"],
    ["recently viewed", (p.rv ?? []).slice(0, 5).join(", ") || "—"],
    [
      "last 7 days",
      `${week("product_viewed")} product views · ${week("product_added")} adds to cart · ` +
        `${week("order_completed")} orders`,
    ],
    [
      "email",
      `${email.delivered} delivered · opened ${percent(email.openRate)} · clicked ${percent(email.clickRate)}`,
    ],
    ["scores", scores.join(" · ") || "not scored yet"],
    ["consent", consent.join(" · ") || "—"],
    ["suppressed", suppressed.join(" · ") || "—"],
  ];
  if (p.gr !== undefined && p.gr.length > 0) rows.push(["groups", p.gr.map(describeGroup).join(" · ")]);
  const ids = [
    ...(p.im ?? []).map((link) => `${link.i} (${link.h}, since ${minute(link.at)})`),
    ...(p.ai ?? []).filter((id) => !p.im?.some((link) => link.i === id)),
  ];
  if (ids.length > 0) rows.push(["also known as", ids.join(" · ")]);
  if (p.ix !== undefined && p.ix.length > 0) {
    rows.push(["not merged", p.ix.map((c) => `${c.i} (${refusalText(c)})`).join(" · ")]);
  }

  const unmatched = unmatchedNote(orders);
  if (unmatched !== undefined) rows.push(["unmatched", unmatched]);
  const skew = clockSkewNote(p);
  if (skew !== undefined) rows.push(["clock", skew]);
  return { headline: `${p.customerId}${who === "" ? "" : `  ${who}`}  (version ${p.version})`, rows };
}
