import type { DueTimer, SizeDelta } from "../ports.js";
import { mapLimit } from "./map-limit.js";
import { type ResettleOutcome, resettleProfile } from "./resettle-profile.js";
import type { ResettleDeps } from "./segment-deps.js";

export interface FireTimersOptions {
  /** Timers read per round. @default 200 */
  readonly limit?: number;
  /** Rounds per run (a backlog beyond `limit × maxRounds` waits for the next run). @default 10 */
  readonly maxRounds?: number;
  /** Customers re-evaluated in parallel. @default 8 */
  readonly concurrency?: number;
}

/** What one run did, for metrics and logs. */
export interface FireTimersSummary {
  /** Timers found due. */
  due: number;
  /** Customers re-evaluated. */
  customers: number;
  /** Timers of unknown (erased) customers, deleted without effect. */
  dropped: number;
  profilesWritten: number;
  transitions: number;
  transitionsPublished: number;
  outboxWrites: number;
  timerWrites: number;
  counterWrites: number;
  counterFailures: number;
  conflicts: number;
  /** Customers whose re-evaluation failed with a retryable error: their timers stay for the next run. */
  failed: number;
  /** Customers whose re-evaluation failed for good: their timers are deleted so they cannot block the poll. */
  abandoned: number;
  /** The first few failures, for the log. */
  failures: { customerId: string; error: string; retryable: boolean }[];
}

const FAILURES_KEPT = 10;

function retryable(error: unknown): boolean {
  return typeof error === "object" && error !== null && "retryable" in error && error.retryable === true;
}

/**
 * Fires the timers due at the clock's `now`: each customer is re-evaluated at `now` (entries and exits that
 * time alone caused), written if that changed anything, its transitions published, its next timer scheduled,
 * and then its timers deleted. Firing the same timer twice changes nothing the second time. A timer whose
 * customer is gone is deleted.
 */
export async function fireDueTimers(
  deps: ResettleDeps,
  options: FireTimersOptions = {},
): Promise<FireTimersSummary> {
  const now = deps.clock.now();
  const limit = options.limit ?? 200;
  const summary: FireTimersSummary = {
    due: 0,
    customers: 0,
    dropped: 0,
    profilesWritten: 0,
    transitions: 0,
    transitionsPublished: 0,
    outboxWrites: 0,
    timerWrites: 0,
    counterWrites: 0,
    counterFailures: 0,
    conflicts: 0,
    failed: 0,
    abandoned: 0,
    failures: [],
  };
  const deltas: SizeDelta[] = [];
  const kept = new Set<string>();
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    const timers = (await deps.segments.timers.due(now, limit)).filter((t) => !kept.has(key(t)));
    if (timers.length === 0) break;
    summary.due += timers.length;
    const byCustomer = new Map<string, DueTimer[]>();
    for (const timer of timers) {
      const list = byCustomer.get(timer.customerId) ?? [];
      list.push(timer);
      byCustomer.set(timer.customerId, list);
    }
    const customers = [...byCustomer.entries()];
    const outcomes = await mapLimit(customers, options.concurrency ?? 8, async ([customerId, own]) => {
      const outcome = await resettleProfile(deps, customerId, now, { deltas });
      await Promise.all(own.map((timer) => deps.segments.timers.complete(timer)));
      return outcome;
    });
    outcomes.forEach((outcome, index) => {
      const own = customers[index]?.[1] ?? [];
      if (outcome.status === "fulfilled") {
        add(summary, outcome.value);
        return;
      }
      const again = retryable(outcome.reason);
      if (summary.failures.length < FAILURES_KEPT) {
        summary.failures.push({
          customerId: customers[index]?.[0] ?? "?",
          error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason),
          retryable: again,
        });
      }
      if (again) {
        summary.failed++;
        for (const timer of own) kept.add(key(timer));
      } else {
        summary.abandoned++;
      }
    });
    // Abandoned customers' timers are deleted here, after the round, never blocking the others.
    const abandoned = outcomes.flatMap((outcome, index) =>
      outcome.status === "rejected" && !retryable(outcome.reason) ? (customers[index]?.[1] ?? []) : [],
    );
    await Promise.all(abandoned.map((timer) => deps.segments.timers.complete(timer)));
    if (timers.length < limit) break;
  }
  if (deltas.length > 0) {
    try {
      summary.counterWrites += await deps.segments.store.addToSizes(deltas);
    } catch {
      summary.counterFailures += deltas.length;
    }
  }
  return summary;
}

const key = (timer: DueTimer) => `${timer.customerId}@${timer.dueAt}`;

function add(summary: FireTimersSummary, outcome: ResettleOutcome): void {
  summary.customers++;
  if (outcome.status === "missing") summary.dropped++;
  if (outcome.status === "written") summary.profilesWritten++;
  summary.transitions += outcome.transitions;
  summary.transitionsPublished += outcome.published;
  summary.outboxWrites += outcome.outboxWrites;
  summary.timerWrites += outcome.timerWrites;
  summary.conflicts += outcome.conflicts;
}
