import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, type Profile } from "#shared/domain/profile/index.js";
import {
  buildLibrary,
  type EvaluationContext,
  evaluateAll,
  type SegmentLibrary,
} from "#shared/domain/segments/index.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { type OracleContext, oracleEvaluate } from "./oracle.js";
import { randomDefinitions } from "./random-definitions.js";
import { type SimCustomer, type SimPopulation, simulatePopulation } from "./sim-profiles.js";

/** Model scores, clusters and static lists the oracle cannot derive: set on some profiles, read by both sides. */
function withStoredFields(profile: Profile, index: number, at: number): Profile {
  const tiers = ["high", "medium", "low"] as const;
  const tier = tiers[index % 3] ?? "low";
  return {
    ...profile,
    ...(index % 4 === 0
      ? {}
      : { sc: { purchase_30d: { p: (index % 10) / 10, t: tier, at }, churn: { p: 0.5, t: tier, at } } }),
    ...(index % 7 === 0 ? { ss: ["vip-list"] } : {}),
    ...(index % 6 === 0 ? {} : { cl: { c: index % 5, at } }),
  };
}

describe("the evaluator agrees with the brute-force oracle on simulated customers", () => {
  let population: SimPopulation;
  let customers: SimCustomer[];
  let library: SegmentLibrary;

  beforeAll(() => {
    population = simulatePopulation({ customers: 200, days: 21, seed: 23, start: Date.UTC(2026, 2, 2) });
    customers = population.customers.map((customer, i) => ({
      ...customer,
      profile: withStoredFields(customer.profile, i, population.end),
    }));
    const starter = loadSegmentLibrary("templates/segments");
    library = buildLibrary([...starter.definitions, ...randomDefinitions(41, 50)]);
  });

  it("simulates a population worth testing on", () => {
    expect(customers.length).toBeGreaterThan(150);
    expect(customers.filter((c) => (c.profile.o?.n ?? 0) > 0).length).toBeGreaterThan(20);
    expect(population.thresholds.population).toBeGreaterThan(20);
  });

  const offsets = [
    0,
    30 * 60_000,
    5 * HOUR_MS + 1,
    25 * HOUR_MS,
    47 * HOUR_MS + 59 * 60_000,
    3 * DAY_MS,
    40 * DAY_MS,
  ];

  it("has the same members at the fold's time and later, by time alone, with and without RFM thresholds", () => {
    const mismatches: string[] = [];
    const members = new Map<string, number>();
    for (const thresholds of [population.thresholds, undefined]) {
      const ctx: EvaluationContext = thresholds === undefined ? {} : { rfm: thresholds };
      for (const offset of offsets) {
        const now = population.end + offset;
        for (const { customerId, events, profile } of customers) {
          const oracleCtx: OracleContext = {
            library,
            profile,
            ...(thresholds === undefined ? {} : { rfm: thresholds }),
          };
          for (const evaluation of evaluateAll(library, profile, now, ctx)) {
            const definition = library.byId.get(evaluation.segmentId);
            if (definition === undefined) throw new Error(evaluation.segmentId);
            const expected = oracleEvaluate(definition, events, now, oracleCtx);
            if (evaluation.member) members.set(definition.id, (members.get(definition.id) ?? 0) + 1);
            if (expected !== evaluation.member && mismatches.length < 10) {
              mismatches.push(
                `${customerId} ${definition.id} at +${offset}: oracle ${expected}, evaluator ${evaluation.member}`,
              );
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The comparison means something only if segments have members and non-members.
    const populated = library.definitions.filter((d) => (members.get(d.id) ?? 0) > 0).length;
    expect(populated).toBeGreaterThan(library.definitions.length / 2);
    for (const id of ["cart-abandoners", "french-speakers-or-eu", "adults-25-34"]) {
      expect(members.get(id) ?? 0, id).toBeGreaterThan(0);
    }
  });

  it("never changes membership before nextChangeAt (checked against the oracle)", () => {
    const ctx: EvaluationContext = { rfm: population.thresholds };
    const violations: string[] = [];
    let timed = 0;
    for (const offset of [0, 7 * HOUR_MS + 30 * 60_000]) {
      const now = population.end + offset;
      for (const { customerId, events, profile } of customers) {
        const oracleCtx: OracleContext = { library, profile, rfm: population.thresholds };
        for (const evaluation of evaluateAll(library, profile, now, ctx)) {
          const definition = library.byId.get(evaluation.segmentId);
          if (definition === undefined) throw new Error(evaluation.segmentId);
          const next = evaluation.nextChangeAt;
          if (next !== undefined) {
            timed++;
            expect(next, `${customerId} ${definition.id}`).toBeGreaterThan(now);
          }
          const horizon = next ?? now + 200 * DAY_MS;
          const probes = [now + 1, Math.floor((now + horizon) / 2), horizon - 1];
          for (const probe of probes) {
            if (
              oracleEvaluate(definition, events, probe, oracleCtx) !== evaluation.member &&
              violations.length < 10
            ) {
              violations.push(
                `${customerId} ${definition.id}: changed at ${probe} before ${next ?? "never"}`,
              );
            }
          }
        }
      }
    }
    expect(violations).toEqual([]);
    expect(timed).toBeGreaterThan(100);
  });
});
