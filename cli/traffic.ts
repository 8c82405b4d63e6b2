import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { PollerCounters } from "#infra/local/kinesis-poller.js";
import { type PutEntry, putAll } from "#infra/local/put-records.js";
import { estimateEvents, malformedRecords, type SimOptions, simulate } from "#shared/sim/index.js";
import { count, duration, rate } from "./format.js";
import { bar, ProgressLine } from "./progress-line.js";

/** What to put on the stream. */
export interface TrafficOptions {
  readonly sim: SimOptions;
  /** Malformed records to mix in, spread evenly through the traffic. */
  readonly malformed: number;
  /** Records per second; undefined: as fast as the stream takes them. */
  readonly rate: number | undefined;
  /**
   * Simulated events before this instant (epoch ms) are not put: an earlier run put them (a continued shop).
   * The simulator still generates them, so the shop's state and every event's `messageId` are the same.
   * @default - every event
   */
  readonly from?: number;
}

/** Live figures shown while the traffic flows (all optional: a remote stack has no pollers to ask). */
export interface LiveFigures {
  counters?(): PollerCounters;
  /** Profiles and quarantined records so far; polled about once a second. */
  tallies?(): Promise<{ profiles: number; quarantined: number }>;
}

export interface TrafficResult {
  readonly put: number;
  readonly putSeconds: number;
  /** Partition keys by number of events, most first (for a sample profile). */
  readonly busiestKeys: readonly string[];
  readonly interrupted: boolean;
  /**
   * The time of the last simulated event put (epoch ms), counted in the order they were handed to the stream
   * (an interrupted run may have put fewer than it generated); undefined when none was.
   */
  readonly lastAt: number | undefined;
}

const encoder = new TextEncoder();

interface TrafficState {
  put: number;
  /** Estimated records to put (the simulator's estimate plus the malformed ones). */
  total: number;
  finished: boolean;
  started: number;
  /** How long putting took, once finished. */
  putSeconds: number | undefined;
}

/** The simulator's events as stream records, with `malformed` bad ones spread evenly among them. */
function* records(
  options: TrafficOptions,
  perKey: Map<string, number>,
  stopped: () => boolean,
  /** The time of each record yielded, in order (undefined for a malformed one). */
  times: (number | undefined)[],
): Generator<PutEntry> {
  const bad = malformedRecords(options.sim.seed, options.malformed);
  const every = Math.max(1, Math.floor(estimateTraffic(options) / (bad.length + 1)));
  const from = options.from ?? options.sim.start;
  let index = 0;
  for (const { partitionKey, event, at } of simulate(options.sim)) {
    if (at < from) continue;
    if (stopped()) return;
    times.push(at);
    perKey.set(partitionKey, (perKey.get(partitionKey) ?? 0) + 1);
    yield { partitionKey, data: encoder.encode(JSON.stringify(event)) };
    index++;
    const next = bad[0];
    if (next !== undefined && index % every === 0) {
      bad.shift();
      times.push(undefined);
      yield { partitionKey: next.partitionKey, data: next.data };
    }
  }
  yield* bad;
}

/** The simulated events {@link records} puts, estimated: the days from `from` on. */
function estimateTraffic(options: TrafficOptions): number {
  const { sim } = options;
  const skipped = Math.floor(((options.from ?? sim.start) - sim.start) / 86_400_000);
  if (skipped <= 0) return estimateEvents(sim);
  return Math.max(0, estimateEvents(sim) - estimateEvents({ ...sim, days: Math.min(sim.days, skipped) }));
}

/** One status line: put progress and rate; with a local poller, processed rate, lag and failures too. */
function statusLine(
  figures: LiveFigures,
  state: { put: number; total: number; finished: boolean; started: number },
  tallies: { profiles: number; quarantined: number } | undefined,
): string {
  const seconds = (performance.now() - state.started) / 1000;
  const parts = [
    `put ${bar(state.put, state.total, state.finished)} ${count(state.put)} (${rate(state.put, seconds)})`,
  ];
  const counters = figures.counters?.();
  if (counters !== undefined) {
    parts.push(`processed ${count(counters.records)} (${rate(counters.records, seconds)})`);
    parts.push(`lag ${duration(counters.lagMs)}`);
    if (counters.failures > 0) parts.push(`failed batches ${count(counters.failures)}`);
  }
  if (tallies !== undefined) {
    parts.push(`profiles ${count(tallies.profiles)}`, `quarantined ${count(tallies.quarantined)}`);
  }
  return parts.join(" · ");
}

/**
 * Puts the simulated shop's traffic on the stream with a live progress line, and (with a local poller) keeps
 * the line going until the ingest has caught up. `stopped()` ends it early (Ctrl-C).
 */
export async function runTraffic(options: {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly traffic: TrafficOptions;
  readonly figures: LiveFigures;
  readonly stopped: () => boolean;
  /** Resolves when the ingest has handled everything put (embedded stack only). */
  readonly drained?: () => Promise<void>;
}): Promise<TrafficResult> {
  const { traffic, figures } = options;
  const line = new ProgressLine();
  const perKey = new Map<string, number>();
  const state: TrafficState = {
    put: 0,
    total: estimateTraffic(traffic) + traffic.malformed,
    finished: false,
    started: performance.now(),
    putSeconds: undefined,
  };
  let tallies: { profiles: number; quarantined: number } | undefined;
  let tallying = false;
  const refresh = () => {
    line.update(statusLine(figures, state, tallies));
    if (figures.tallies === undefined || tallying) return;
    tallying = true;
    figures
      .tallies()
      .then((t) => {
        tallies = t;
      })
      .catch(() => {})
      .finally(() => {
        tallying = false;
      });
  };
  const timer = setInterval(refresh, 250);
  const times: (number | undefined)[] = [];
  try {
    const result = await putAll({
      kinesis: options.kinesis,
      streamName: options.streamName,
      records: records(traffic, perKey, options.stopped, times),
      ratePerSecond: traffic.rate,
      onProgress: (put) => {
        state.put = put;
      },
    });
    const putSeconds = (performance.now() - state.started) / 1000;
    state.put = result.put;
    state.finished = true;
    state.putSeconds = putSeconds;
    if (options.drained !== undefined && !options.stopped()) await options.drained();
    refresh();
    const busiestKeys = [...perKey.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([key]) => key);
    const lastAt = times
      .slice(0, result.put)
      .reduce<number | undefined>((last, at) => (at === undefined ? last : at), undefined);
    return { put: result.put, putSeconds, busiestKeys, interrupted: options.stopped(), lastAt };
  } finally {
    clearInterval(timer);
    line.done();
  }
}
