/**
 * The segment benchmark: profiles × definitions evaluated per second for the starter library, on profiles
 * folded from the simulator's traffic (no emulators), against the naive baseline that re-scans each customer's
 * raw events for every definition (the brute-force oracle of `test/segments/oracle.ts`), as a ratio.
 */
import type { TailorEvent } from "../shared/domain/events/index.js";
import { type EvaluationContext, evaluateAll, type SegmentLibrary } from "../shared/domain/segments/index.js";
import { loadSegmentLibrary } from "../shared/templates/segment-files.js";
import { type OracleContext, oracleEvaluate } from "../test/segments/oracle.js";
import { simulatePopulation } from "../test/segments/sim-profiles.js";

/** Runs `round` until `minMs` have passed (after one warm-up round); rounds per second. */
function measure(round: () => number, minMs: number): { perSecond: number; rounds: number } {
  round();
  let work = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < minMs || rounds === 0) {
    work += round();
    rounds++;
  }
  return { perSecond: (work * 1000) / (performance.now() - started), rounds };
}

function evaluator(
  library: SegmentLibrary,
  profiles: readonly { profile: Parameters<typeof evaluateAll>[1] }[],
  now: number,
  ctx: EvaluationContext,
) {
  return () => {
    let n = 0;
    for (const { profile } of profiles) n += evaluateAll(library, profile, now, ctx).length;
    return n;
  };
}

function oracle(
  library: SegmentLibrary,
  customers: readonly { profile: OracleContext["profile"]; events: readonly TailorEvent[] }[],
  now: number,
  rfm: EvaluationContext["rfm"],
) {
  return () => {
    let n = 0;
    for (const { profile, events } of customers) {
      const ctx: OracleContext = { library, profile, ...(rfm === undefined ? {} : { rfm }) };
      for (const definition of library.definitions) {
        oracleEvaluate(definition, events, now, ctx);
        n++;
      }
    }
    return n;
  };
}

/** Lines to print: evaluations per second, the raw-scan baseline, and the ratio. */
export async function segmentBench(
  opts: { customers?: number; days?: number; minMs?: number } = {},
): Promise<string[]> {
  const customers = opts.customers ?? 500;
  const days = opts.days ?? 30;
  const minMs = opts.minMs ?? 1500;
  const library = loadSegmentLibrary("templates/segments");
  const population = simulatePopulation({ customers, days, seed: 7, start: Date.UTC(2026, 8, 1) });
  const now = population.end + 3 * 3_600_000;
  const ctx: EvaluationContext = { rfm: population.thresholds };
  const events = population.customers.reduce((sum, c) => sum + c.events.length, 0);
  const pairs = population.customers.length * library.definitions.length;

  const fast = measure(evaluator(library, population.customers, now, ctx), minMs);
  const slow = measure(oracle(library, population.customers, now, ctx.rfm), minMs);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  return [
    `segments: ${library.definitions.length} definitions × ${population.customers.length} profiles (${fmt(events)} events, ${days} simulated days) = ${fmt(pairs)} evaluations per pass`,
    `  evaluator on folded profiles : ${fmt(fast.perSecond)} profile×definition/s (${fast.rounds} passes)`,
    `  baseline re-scanning raw events: ${fmt(slow.perSecond)} profile×definition/s (${slow.rounds} passes)`,
    `  ratio: ${(fast.perSecond / slow.perSecond).toFixed(1)}× faster`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await segmentBench()) console.log(line);
}
