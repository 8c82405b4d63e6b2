import type { JobPartStore, JobPhase, PartState } from "#shared/ports.js";

/** Part states in memory, with the store's conditional write; `puts` counts the writes that landed. */
export class InMemoryJobParts implements JobPartStore {
  readonly states = new Map<string, PartState>();
  puts = 0;

  async get(runId: string, phase: JobPhase, part: number): Promise<PartState | undefined> {
    const state = this.states.get(`${runId}|${phase}|${part}`);
    return state === undefined ? undefined : structuredClone(state);
  }

  async put(runId: string, phase: JobPhase, state: PartState, expectedSeq: number): Promise<boolean> {
    const key = `${runId}|${phase}|${state.part}`;
    if ((this.states.get(key)?.seq ?? 0) !== expectedSeq) return false;
    this.states.set(key, structuredClone(state));
    this.puts++;
    return true;
  }

  async all(runId: string, phase: JobPhase): Promise<PartState[]> {
    return [...this.states.entries()]
      .filter(([key]) => key.startsWith(`${runId}|${phase}|`))
      .map(([, state]) => structuredClone(state));
  }
}
