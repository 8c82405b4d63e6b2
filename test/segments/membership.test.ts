import { describe, expect, it } from "vitest";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import type { Evaluation } from "#shared/domain/segments/contracts.js";
import type { SegmentDefinition } from "#shared/domain/segments/definition.js";
import { buildLibrary } from "#shared/domain/segments/library.js";
import { applyEvaluations, transitionId } from "#shared/domain/segments/membership.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const HOUR = 3_600_000;

function definition(id: string, version = 1): SegmentDefinition {
  return { id, name: id, version, static: true };
}

const library = buildLibrary([definition("a"), definition("b", 3), definition("c")]);

function verdict(segmentId: string, member: boolean, nextChangeAt?: number): Evaluation {
  return {
    segmentId,
    member,
    reason: { node: "static", text: segmentId, held: member },
    nextChangeAt,
  };
}

function profileWith(sg: Profile["sg"]): Profile {
  return { ...emptyProfile("c-1", NOW - 10 * HOUR), ...(sg === undefined ? {} : { sg }) };
}

describe("applyEvaluations", () => {
  it("records an entry with the time and the definition's version, and emits an entered transition", () => {
    const before = profileWith(undefined);

    const { profile, transitions, changed } = applyEvaluations(
      before,
      [verdict("a", false), verdict("b", true), verdict("c", false)],
      library,
      NOW,
    );

    expect(profile.sg).toEqual({ b: { e: NOW, v: 3 } });
    expect(transitions).toEqual([
      {
        id: `c-1#b#entered#${NOW}`,
        customerId: "c-1",
        segmentId: "b",
        kind: "entered",
        at: NOW,
        version: 3,
      },
    ]);
    expect(changed).toBe(true);
    expect(before.sg).toBeUndefined();
  });

  it("keeps the entered-at time while the customer stays a member, and emits nothing", () => {
    const enteredAt = NOW - 5 * HOUR;
    const before = profileWith({ b: { e: enteredAt, v: 3 } });

    const { profile, transitions, changed } = applyEvaluations(
      before,
      [verdict("a", false), verdict("b", true), verdict("c", false)],
      library,
      NOW,
    );

    expect(profile.sg).toEqual({ b: { e: enteredAt, v: 3 } });
    expect(transitions).toEqual([]);
    expect(changed).toBe(false);
  });

  it("removes the membership on exit and emits an exited transition with the deciding version", () => {
    const before = profileWith({ a: { e: NOW - HOUR, v: 1 }, b: { e: NOW - HOUR, v: 3 } });

    const { profile, transitions } = applyEvaluations(
      before,
      [verdict("a", true), verdict("b", false), verdict("c", false)],
      library,
      NOW,
    );

    expect(profile.sg).toEqual({ a: { e: NOW - HOUR, v: 1 } });
    expect(transitions.map((t) => [t.segmentId, t.kind, t.version])).toEqual([["b", "exited", 3]]);
  });

  it("drops the sg field altogether when the last membership ends", () => {
    const before = profileWith({ c: { e: NOW - HOUR, v: 1 } });

    const { profile } = applyEvaluations(before, [verdict("c", false)], library, NOW);

    expect("sg" in profile).toBe(false);
  });

  it("moves a member to a new definition version without a transition, keeping when it entered", () => {
    const before = profileWith({ b: { e: NOW - HOUR, v: 2 } });

    const { profile, transitions, changed } = applyEvaluations(before, [verdict("b", true)], library, NOW);

    expect(profile.sg?.b).toEqual({ e: NOW - HOUR, v: 3 });
    expect(transitions).toEqual([]);
    expect(changed).toBe(true);
  });

  it("drops memberships of segments no longer in the library without emitting, and ignores unknown verdicts", () => {
    const before = profileWith({ gone: { e: NOW - HOUR, v: 1 }, a: { e: NOW - HOUR, v: 1 } });

    const { profile, transitions, changed } = applyEvaluations(
      before,
      [verdict("a", true), verdict("zzz", true)],
      library,
      NOW,
    );

    expect(profile.sg).toEqual({ a: { e: NOW - HOUR, v: 1 } });
    expect(transitions).toEqual([]);
    expect(changed).toBe(true);
  });

  it("keeps a membership of a library segment that was not evaluated this time", () => {
    const before = profileWith({ c: { e: NOW - HOUR, v: 1 } });

    const { profile, transitions } = applyEvaluations(before, [verdict("a", false)], library, NOW);

    expect(profile.sg).toEqual({ c: { e: NOW - HOUR, v: 1 } });
    expect(transitions).toEqual([]);
  });

  it("gives the earliest future nextChangeAt as nextDue, ignoring times at or before now", () => {
    const before = profileWith(undefined);

    const { nextDue } = applyEvaluations(
      before,
      [verdict("a", false, NOW + 5 * HOUR), verdict("b", false, NOW), verdict("c", true, NOW + 2 * HOUR)],
      library,
      NOW,
    );
    const none = applyEvaluations(before, [verdict("a", false), verdict("b", true)], library, NOW);

    expect(nextDue).toBe(NOW + 2 * HOUR);
    expect(none.nextDue).toBeUndefined();
  });

  it("is deterministic: the same inputs give the same transition ids", () => {
    const before = profileWith({ a: { e: NOW - HOUR, v: 1 } });
    const evaluations = [verdict("a", false), verdict("b", true)];

    const first = applyEvaluations(before, evaluations, library, NOW);
    const second = applyEvaluations(before, evaluations, library, NOW);

    expect(second.transitions).toEqual(first.transitions);
    expect(first.transitions.map((t) => t.id)).toEqual([
      transitionId("c-1", "a", "exited", NOW),
      transitionId("c-1", "b", "entered", NOW),
    ]);
  });
});
