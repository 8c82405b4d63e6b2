import { nextCronTime } from "#shared/domain/schedules/index.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { LocalStackError } from "./local-errors.js";
import type { ScheduleTiming } from "./schedule-plan.js";
import { type EventTargetHandler, scheduledEvent } from "./scheduled-event.js";
import { type TargetInput, targetPayload } from "./target-input.js";

export type { EventTargetHandler, ScheduledEvent, ScheduledHandler } from "./scheduled-event.js";

/** A function a schedule invokes, and what with. */
export interface ScheduledFunctionTarget {
  readonly function: FunctionIdentity;
  readonly handler: EventTargetHandler;
  /** The target's input setting; absent: the Scheduled Event. */
  readonly input?: TargetInput;
}

/** A state machine a schedule starts, and what with. */
export interface ScheduledStateMachineTarget {
  /** The state machine's local name (for logs). */
  readonly stateMachine: string;
  /** Runs an execution with `input` to its end, resolving its output; rejects when the execution fails. */
  readonly start: (input: unknown) => Promise<unknown>;
  /** The target's input setting; absent: the Scheduled Event. */
  readonly input?: TargetInput;
}

/** What a schedule's tick invokes: a function, or a state machine's execution. */
export type ScheduledTarget = ScheduledFunctionTarget | ScheduledStateMachineTarget;

const targetName = (target: ScheduledTarget): string =>
  "start" in target ? `state machine ${target.stateMachine}` : target.function.functionName;

/** A schedule to run: a rule of the template with its period or calendar, and its targets' handlers. */
export type LocalSchedule = {
  readonly name: string;
  readonly arn: string;
  /** The rule's expression, for logs and status. */
  readonly expression: string;
  readonly targets: readonly ScheduledTarget[];
} & ScheduleTiming;

/** What a {@link LocalScheduler} runs, and how. */
export interface LocalSchedulerOptions {
  readonly schedules: readonly LocalSchedule[];
  /**
   * The period of every `rate(...)` schedule, instead of its expression's (tests and demos run faster than a
   * minute). `cron(...)` schedules keep their calendar.
   */
  readonly intervalMs?: number;
  /** Where invocation errors are reported. Default: nowhere (they are still counted). */
  readonly log?: (line: string) => void;
  /** The clock of the ticks' times. Default `Date.now`. */
  readonly now?: () => number;
}

/** What one schedule has done so far. */
export interface ScheduleCounters {
  readonly name: string;
  readonly expression: string;
  /** The period it runs at (the override, if any); `undefined` for a `cron(...)` schedule. */
  readonly periodMs: number | undefined;
  /** Ticks fired, on time or by {@link LocalScheduler.runNow}. */
  readonly ticks: number;
  /** Ticks not fired because the previous one was still running. */
  readonly skipped: number;
  /** Handler invocations and state machine executions (one per target per tick). */
  readonly invocations: number;
  /** Invocations that threw or timed out, and executions that failed. */
  readonly errors: number;
  /** The last error, as logged. */
  readonly lastError: string | undefined;
}

/** The outcome of one {@link LocalScheduler.runNow}. */
export interface ScheduleRun {
  readonly invocations: number;
  readonly errors: number;
}

// Node's timers hold at most 2^31-1 ms (~24.8 days): a later tick is re-armed when that much has passed.
const MAX_TIMER_MS = 2_147_483_647;

type CountedKey = "ticks" | "skipped" | "invocations" | "errors" | "lastError";

interface ScheduleState {
  readonly schedule: LocalSchedule;
  readonly periodMs: number | undefined;
  readonly counters: { -readonly [K in CountedKey]: ScheduleCounters[K] };
  /** The tick running or last run: ticks of one schedule never overlap. */
  chain: Promise<unknown>;
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

/**
 * What EventBridge schedules do, in this process: each schedule fires at its rate (the first tick one period
 * after {@link start}) and invokes its targets with a Scheduled Event, as EventBridge invokes a function
 * asynchronously, or starts its state machines' executions (a tick lasts until they end). A handler that throws
 * or times out, or an execution that fails, is logged and counted, never retried (the next tick comes soon
 * enough) and never stops the scheduler. Ticks of one schedule do not overlap: one that comes due while the
 * previous still runs is skipped and counted.
 */
export class LocalScheduler {
  readonly #states: ScheduleState[];
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  #started = false;
  #stopped = false;

  constructor(options: LocalSchedulerOptions) {
    const override = options.intervalMs;
    if (override !== undefined && (!Number.isFinite(override) || override < 1)) {
      throw new LocalStackError(`scheduleIntervalMs must be a positive number of ms, got ${override}`);
    }
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#states = options.schedules.map((schedule) => ({
      schedule,
      periodMs: schedule.periodMs === undefined ? undefined : (override ?? schedule.periodMs),
      counters: { ticks: 0, skipped: 0, invocations: 0, errors: 0, lastError: undefined },
      chain: Promise.resolve(),
      running: false,
      timer: undefined,
    }));
  }

  /** A snapshot of every schedule's counters. */
  get counters(): readonly ScheduleCounters[] {
    return this.#states.map((state) => ({
      name: state.schedule.name,
      expression: state.schedule.expression,
      periodMs: state.periodMs,
      ...state.counters,
    }));
  }

  /** Starts the clocks: each rate schedule's first tick comes one period from now, a cron one's at its next time. */
  start(): void {
    if (this.#started) throw new LocalStackError("scheduler already started");
    this.#started = true;
    const now = this.#now();
    for (const state of this.#states) this.#armNext(state, now);
  }

  /**
   * Fires one tick of every schedule (or of those named in `only`) now, after any tick in flight, and resolves
   * when every target has returned or failed. The regular ticks keep their times. Without `only`, state
   * machines are not started (their targets are left out of the tick): a batch run such as the nightly
   * rescoring is not what "a minute passing" means; name its rule to run it.
   */
  async runNow(only?: readonly string[]): Promise<ScheduleRun> {
    if (this.#stopped) throw new LocalStackError("the scheduler is stopped");
    const at = this.#now();
    const pick =
      only === undefined
        ? (target: ScheduledTarget) => !("start" in target)
        : (_target: ScheduledTarget) => true;
    const states = this.#states.filter((state) =>
      only === undefined ? state.schedule.targets.some(pick) : only.includes(state.schedule.name),
    );
    const runs = await Promise.all(states.map((state) => this.#enqueue(state, at, pick)));
    return runs.reduce(
      (sum, run) => ({ invocations: sum.invocations + run.invocations, errors: sum.errors + run.errors }),
      { invocations: 0, errors: 0 },
    );
  }

  /** Stops the clocks and waits for the ticks in flight to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const state of this.#states) clearTimeout(state.timer);
    await Promise.all(this.#states.map((state) => state.chain));
  }

  /** Arms the first tick after `now`: one period on for a rate, the next calendar time for a cron. */
  #armNext(state: ScheduleState, now: number): void {
    const { cron } = state.schedule;
    if (state.periodMs !== undefined) this.#arm(state, now + state.periodMs);
    else if (cron !== undefined) {
      const next = nextCronTime(cron, now);
      if (next !== undefined) this.#arm(state, next);
      else this.#log(`schedule ${state.schedule.name}: ${state.schedule.expression} never fires again`);
    }
  }

  #arm(state: ScheduleState, dueAt: number): void {
    if (this.#stopped) return;
    const wait = Math.max(0, dueAt - this.#now());
    const delay = Math.min(MAX_TIMER_MS, wait);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (wait > MAX_TIMER_MS) {
        this.#arm(state, dueAt);
        return;
      }
      if (state.running) state.counters.skipped++;
      const tick = state.running ? Promise.resolve() : this.#enqueue(state, dueAt);
      const rearm = () => {
        const period = state.periodMs;
        if (period === undefined) {
          this.#armNext(state, Math.max(dueAt, this.#now()));
          return;
        }
        let next = dueAt + period;
        const now = this.#now();
        while (next <= now) {
          next += period;
          state.counters.skipped++;
        }
        this.#arm(state, next);
      };
      void tick.then(rearm, rearm);
    }, delay);
  }

  #enqueue(
    state: ScheduleState,
    at: number,
    pick: (target: ScheduledTarget) => boolean = () => true,
  ): Promise<ScheduleRun> {
    const run = state.chain.then(() => this.#fire(state, at, pick));
    state.chain = run;
    return run;
  }

  async #fire(
    state: ScheduleState,
    at: number,
    pick: (target: ScheduledTarget) => boolean,
  ): Promise<ScheduleRun> {
    const { schedule, counters } = state;
    state.running = true;
    counters.ticks++;
    const event = scheduledEvent(schedule.arn, at);
    const targets = schedule.targets.filter(pick);
    try {
      const outcomes = await Promise.allSettled(
        targets.map((target) => {
          const payload = targetPayload(target.input ?? { kind: "event" }, event, schedule);
          return "start" in target
            ? target.start(payload)
            : invokeWithTimeout(target.function, target.handler, payload);
        }),
      );
      let errors = 0;
      outcomes.forEach((outcome, index) => {
        counters.invocations++;
        if (outcome.status === "fulfilled") return;
        errors++;
        counters.errors++;
        const target = targets[index];
        const line = `${schedule.name} → ${target === undefined ? "?" : targetName(target)}: ${describe(outcome.reason)}`;
        counters.lastError = line;
        this.#log(`schedule ${line}`);
      });
      return { invocations: outcomes.length, errors };
    } finally {
      state.running = false;
    }
  }
}
