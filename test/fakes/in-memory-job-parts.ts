import type {
  JobPartStore,
  JobPhase,
  PartState,
  ProfileScan,
  ProfileScanPages,
  ScanSlice,
  StoredProfile,
} from "#shared/ports.js";

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

/** Pages over any scan: the cursor is the position in the slice (read whole each time, fine for tests). */
export class ScanPages implements ProfileScanPages {
  readonly #scan: ProfileScan;

  constructor(scan: ProfileScan) {
    this.#scan = scan;
  }

  async scanPage(
    slice: ScanSlice,
    options: { readonly cursor?: string; readonly limit: number },
  ): Promise<{ readonly profiles: readonly StoredProfile[]; readonly cursor?: string }> {
    const all: StoredProfile[] = [];
    for await (const stored of this.#scan.scan(slice)) all.push(stored);
    const from = Number(options.cursor ?? 0);
    const to = from + options.limit;
    const profiles = all.slice(from, to);
    return to < all.length ? { profiles, cursor: String(to) } : { profiles };
  }
}
