import type { ConsoleDeps } from "#shared/app/console/console-deps.js";
import { utcDay } from "#shared/app/console/segment-views.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import type { SegmentTransition } from "#shared/domain/segments/contracts.js";
import type {
  CampaignOutcomeCounts,
  CampaignOutcomeDay,
  SegmentChanges,
  SegmentDayChanges,
  SegmentSizeHistory,
  SegmentSizePoint,
  TemplateSource,
} from "#shared/ports.js";
import { compileTemplates } from "#shared/render/compile/compile-templates.js";
import { loadSampleProfiles } from "#shared/render/samples.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { InMemoryLedger } from "../dispatch/fakes.js";
import { PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemorySegmentStore } from "../fakes/in-memory-segments.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";
import { InMemoryAuditLog } from "../privacy/privacy-fakes.js";

/** Size history in memory: points by segment then day. */
export class InMemorySizeHistory implements SegmentSizeHistory {
  readonly points = new Map<string, Map<string, number>>();

  async record(day: string, sizes: ReadonlyMap<string, number>): Promise<void> {
    for (const [segmentId, size] of sizes) {
      const days = this.points.get(segmentId) ?? new Map<string, number>();
      days.set(day, size);
      this.points.set(segmentId, days);
    }
  }

  async history(
    segmentIds: readonly string[],
    sinceDay: string,
  ): Promise<ReadonlyMap<string, readonly SegmentSizePoint[]>> {
    return new Map(
      segmentIds.map((id) => [
        id,
        [...(this.points.get(id) ?? new Map<string, number>())]
          .filter(([day]) => day >= sinceDay)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([day, size]) => ({ day, size })),
      ]),
    );
  }
}

/** Campaign outcomes in memory, as the DynamoDB adapter adds them (without its bound). */
export class MemoryOutcomes implements CampaignOutcomeCounts {
  readonly counts = new Map<string, Record<string, number>>();
  failing = false;

  async add(campaignId: string, day: string, key: string): Promise<void> {
    if (this.failing) throw new Error("counter unreachable");
    const counts = this.counts.get(`${campaignId}/${day}`) ?? {};
    counts[key] = (counts[key] ?? 0) + 1;
    this.counts.set(`${campaignId}/${day}`, counts);
  }

  async days(campaignId: string, sinceDay: string): Promise<CampaignOutcomeDay[]> {
    return [...this.counts]
      .filter(([id]) => id.startsWith(`${campaignId}/`) && id.slice(campaignId.length + 1) >= sinceDay)
      .map(([id, counts]) => ({ day: id.slice(campaignId.length + 1), counts }));
  }
}

/** Segment changes in memory: transitions by id, read back per segment and day. */
export class MemorySegmentChanges implements SegmentChanges {
  readonly transitions = new Map<string, SegmentTransition>();

  async record(transition: SegmentTransition): Promise<void> {
    this.transitions.set(transition.id, transition);
  }

  async day(segmentId: string, day: string, limit: number): Promise<SegmentDayChanges> {
    const of = (kind: SegmentTransition["kind"]) =>
      [...this.transitions.values()]
        .filter((t) => t.segmentId === segmentId && t.kind === kind && utcDay(t.at) === day)
        .sort((a, b) => b.at - a.at);
    const recent = (kind: SegmentTransition["kind"]) =>
      of(kind)
        .slice(0, limit)
        .map(({ customerId, at }) => ({ customerId, at }));
    return {
      entered: of("entered").length,
      exited: of("exited").length,
      recentEntered: recent("entered"),
      recentExited: recent("exited"),
    };
  }
}

/** Compiled templates whose version a test moves (an edit on disk). */
export class MemoryTemplateSource implements TemplateSource {
  loads = 0;
  constructor(
    public json: string,
    public current = "v1",
  ) {}

  async version(): Promise<string> {
    return this.current;
  }

  async load(): Promise<{ readonly version: string; readonly json: string }> {
    this.loads++;
    return { version: this.current, json: this.json };
  }
}

let compiledJson: Promise<string> | undefined;
/** The repository's templates compiled once per test file. */
export const repositoryTemplates = (): Promise<string> => {
  compiledJson ??= compileTemplates("templates").then((compiled) => JSON.stringify(compiled));
  return compiledJson;
};

/** The console's deps on in-memory fakes and the repository's segments, campaigns, samples and templates. */
export async function consoleFakes(now: number) {
  const profiles = new InMemoryProfileStore();
  const segments = new InMemorySegmentStore();
  const sizeHistory = new InMemorySizeHistory();
  const ledger = new InMemoryLedger();
  const audit = new InMemoryAuditLog();
  const sample = new PagedProfiles(profiles, 0);
  const templates = new MemoryTemplateSource(await repositoryTemplates());
  const segmentLibrary = loadSegmentLibrary("templates/segments");
  const campaignLibrary = loadCampaignLibrary("templates/campaigns", {
    templates: "templates/emails",
    segments: segmentLibrary,
  });
  const samples = loadSampleProfiles("templates/samples");
  const outcomes = new MemoryOutcomes();
  const changes = new MemorySegmentChanges();
  const totals: Parameters<ConsoleDeps["experiments"]["totals"]>[0][] = [];
  const deps: ConsoleDeps = {
    profiles,
    identities: profiles,
    sample,
    segments,
    sizeHistory,
    ledger,
    audit,
    outcomes,
    changes,
    experiments: {
      totals: async (campaignId) => {
        totals.push(campaignId);
        return [];
      },
    },
    segmentLibrary: () => segmentLibrary,
    campaignLibrary: () => campaignLibrary,
    templates,
    sampleProfiles: () => samples,
    catalog: new InMemoryCatalog([]),
    clock: { now: () => now },
    random: () => 0.5,
  };
  return {
    deps,
    outcomes,
    changes,
    profiles,
    segments,
    sizeHistory,
    ledger,
    audit,
    sample,
    templates,
    samples,
    totals,
  };
}
