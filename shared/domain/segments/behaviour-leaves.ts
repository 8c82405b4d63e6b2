import { emailEngagement, KIND_CODES, lastAt, ownEntry, recentSends } from "../profile/index.js";
import { isWindowKind } from "../profile/kind-codes.js";
import type {
  EngagementCondition,
  EventCondition,
  EventRef,
  NoEventSinceCondition,
  OrdersInCategoryCondition,
  RateTest,
} from "./definition.js";
import { formatPercent, formatTime, times } from "./describe.js";
import type { ProfileView } from "./profile-view.js";
import { countInWindowAt, inRange } from "./window-count.js";

/** A leaf's verdict, what was seen, and the earliest time it can change by time alone. */
export interface LeafResult {
  readonly held: boolean;
  readonly seen: string;
  readonly nextChangeAt: number | undefined;
}

function allTimeCount(view: ProfileView, event: EventRef): number {
  if (event.kind === "custom") return ownEntry(view.profile.x, event.name) ?? 0;
  return view.profile.k[KIND_CODES[event.kind]]?.n ?? 0;
}

/** `event` and `noEvent`: a count in a window (or all time) within a range. */
export function evaluateEvent(view: ProfileView, condition: EventCondition): LeafResult {
  const { within, count: range, event } = condition;
  if (within === undefined) {
    const n = allTimeCount(view, event);
    return { held: inRange(n, range), seen: times(n), nextChangeAt: undefined };
  }
  const kind = event.kind;
  if (!isWindowKind(kind)) return { held: false, seen: "not counted in windows", nextChangeAt: undefined };
  const { count, nextChangeAt } = countInWindowAt(view, kind, within, range, condition.where);
  return { held: inRange(count, range), seen: times(count), nextChangeAt };
}

/** `noEventSince`: the customer did `since`, and no `event` at or after the last `since`. Never moves by time. */
export function evaluateNoEventSince(view: ProfileView, condition: NoEventSinceCondition): LeafResult {
  const { event, since } = condition;
  if (event.kind === "custom" || since.kind === "custom") {
    return { held: false, seen: "custom events keep no last time", nextChangeAt: undefined };
  }
  const sinceAt = lastAt(view.profile, since.kind);
  const eventAt = lastAt(view.profile, event.kind);
  if (sinceAt === undefined) return { held: false, seen: `no ${since.name} yet`, nextChangeAt: undefined };
  const sinceText = `${since.name} ${formatTime(sinceAt)}`;
  if (eventAt === undefined) {
    return { held: true, seen: `no ${event.name}, last ${sinceText}`, nextChangeAt: undefined };
  }
  const held = eventAt < sinceAt;
  return {
    held,
    seen: `last ${event.name} ${formatTime(eventAt)}, ${held ? "before" : "after"} ${sinceText}`,
    nextChangeAt: undefined,
  };
}

/** `ordersInCategory`: all-time orders that contained the category. */
export function evaluateOrdersInCategory(
  view: ProfileView,
  condition: OrdersInCategoryCondition,
): LeafResult {
  const n = ownEntry(view.profile.o?.k, condition.category) ?? 0;
  return { held: inRange(n, condition.count), seen: times(n, "order"), nextChangeAt: undefined };
}

function rateHolds(rate: number, test: RateTest | undefined): boolean {
  if (test === undefined) return true;
  return (
    (test.gt === undefined || rate > test.gt) &&
    (test.gte === undefined || rate >= test.gte) &&
    (test.lt === undefined || rate < test.lt) &&
    (test.lte === undefined || rate <= test.lte)
  );
}

/** `engagement`: open and click rates over the last N sends (or all time). Never moves by time. */
export function evaluateEngagement(view: ProfileView, condition: EngagementCondition): LeafResult {
  let sends: number;
  let openRate: number;
  let clickRate: number;
  if (condition.overLastSends === undefined) {
    const all = emailEngagement(view.profile);
    sends = all.delivered;
    openRate = all.openRate;
    clickRate = all.clickRate;
  } else {
    const recent = recentSends(view.profile, condition.overLastSends);
    sends = recent.sends;
    openRate = sends === 0 ? 0 : recent.opened / sends;
    clickRate = sends === 0 ? 0 : recent.clicked / sends;
  }
  if (sends < condition.minSends) {
    const seen = sends === 0 ? "no sends" : `only ${times(sends, "send")}`;
    return { held: false, seen, nextChangeAt: undefined };
  }
  const rates = [
    ...(condition.openRate === undefined ? [] : [`open rate ${formatPercent(openRate)}`]),
    ...(condition.clickRate === undefined ? [] : [`click rate ${formatPercent(clickRate)}`]),
  ];
  return {
    held: rateHolds(openRate, condition.openRate) && rateHolds(clickRate, condition.clickRate),
    seen: `${rates.join(" and ")} over ${times(sends, "send")}`,
    nextChangeAt: undefined,
  };
}
