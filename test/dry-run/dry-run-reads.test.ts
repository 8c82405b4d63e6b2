import { describe, expect, it } from "vitest";
import type { DispatchDeps } from "#shared/app/dispatch-deps.js";
import { dryRunCampaign } from "#shared/app/dry-run/dry-run-campaign.js";
import { audienceReads, dispatchReads } from "#shared/app/dry-run/dry-run-reads.js";
import { buildCampaignLibrary } from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { ScanSlice, StoredProfile } from "#shared/ports.js";
import { SmsTemplateError } from "#shared/render/sms-templates.js";
import { RecordingEventWriter } from "../api/api-harness.js";
import { MemoryOutcomes } from "../console/console-fakes.js";
import { campaign, customer, HOUR, harness, T0 } from "../dispatch/harness.js";
import { PagedProfiles } from "../fakes/in-memory-fanout.js";

/** The methods a dry run may call on a port: reads. */
const READ_METHODS = new Set([
  "get",
  "recent",
  "resolveIds",
  "render",
  "templates",
  "reads",
  "getMany",
  "bestSellers",
  "recommend",
  "all",
  "page",
  "rebuiltAt",
  "linkKeys",
]);

/**
 * `target` with every method outside `reads` replaced by one that notes the call in `reached` and throws (the
 * note, because dispatch catches a failing port and counts it as a retry).
 */
function guarded<T extends object>(name: string, target: T, reads: readonly string[], reached: string[]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      if (reads.includes(String(property))) return value.bind(object);
      return () => {
        reached.push(`${name}.${String(property)}`);
        throw new Error(`a dry run reached the write ${name}.${String(property)}`);
      };
    },
  });
}

const vip = (profile: Profile): Profile => ({ ...profile, sg: { vip: { e: T0 - HOUR, v: 1 } } });

/** Dispatch's deps with every writing port guarded, and a writing dep added later that no one told the dry run. */
function guardedWorld() {
  const profiles = ["c-1", "c-2", "c-3"].map((id) => vip(customer(id)));
  const world = harness([], profiles);
  const library = buildCampaignLibrary(
    [
      campaign({
        id: "weekly",
        trigger: { schedule: "cron(0 12 ? * MON *)", audience: "vip" },
        steps: [{ template: "welcome" }],
      }),
    ],
    {
      templates: new Map(world.deps.renderer.templates().map((t) => [t.name, t.variants])),
      segmentIds: new Set(["vip"]),
    },
  );
  const reached: string[] = [];
  const writer = { write: async () => {} };
  const deps: DispatchDeps & { readonly auditTrail: typeof writer } = {
    ...world.deps,
    library,
    ledger: guarded("ledger", world.ledger, ["recent"], reached),
    profiles: guarded("profiles", world.deps.profiles, ["get"], reached),
    mailer: guarded("mailer", world.mailer, [], reached),
    sendTimers: guarded("sendTimers", world.sendTimers, [], reached),
    limiter: guarded("limiter", world.deps.limiter, [], reached),
    events: guarded("events", new RecordingEventWriter(), [], reached),
    experiments: guarded("experiments", { add: async () => 0, totals: async () => [] }, [], reached),
    outcomes: guarded("outcomes", new MemoryOutcomes(), [], reached),
    erased: {
      ledger: guarded("erased.ledger", { erase: async () => 0 }, [], reached),
      timers: guarded("erased.timers", { erase: async () => 0 }, [], reached),
    },
    auditTrail: guarded("auditTrail", writer, [], reached),
  };
  const source = {
    async *scan(slice: ScanSlice): AsyncIterable<StoredProfile> {
      for (const [index, profile] of profiles.entries()) {
        if (index % slice.totalSegments === slice.segment) yield { profile, itemBytes: 100 };
      }
    },
  };
  const scan = guarded("scan", new PagedProfiles(source, profiles.length), ["page"], reached);
  return { deps, scan, reached, world };
}

/** Every function reachable from `value`, by its path (`ledger.recent`). */
function methodsOf(value: unknown, path = ""): string[] {
  if (typeof value === "function") return [path];
  if (typeof value !== "object" || value === null || value instanceof Map || value instanceof Set) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    methodsOf(inner, path === "" ? key : `${path}.${key}`),
  );
}

describe("a dry run's dependencies", () => {
  it("expose reading methods only, and none of a dependency they were not told of", () => {
    // Prepare
    const { deps } = guardedWorld();

    // Act
    const reads = dispatchReads(deps);

    // Assess: no writing port is there at all
    for (const port of ["mailer", "sendTimers", "limiter", "events", "experiments", "outcomes", "erased"]) {
      expect(reads).not.toHaveProperty(port);
    }
    expect(reads).not.toHaveProperty("auditTrail");
    // Assess: every method left is a read (the library's and the shop's data hold no functions)
    const methods = methodsOf({ ...reads, library: {} });
    expect(methods).toContain("ledger.recent");
    expect(methods).toContain("profiles.get");
    expect(methods.filter((path) => !READ_METHODS.has(path.split(".").at(-1) ?? ""))).toEqual([]);
    expect(Object.keys(reads.ledger)).toEqual(["recent"]);
    expect(Object.keys(reads.profiles)).toEqual(["get"]);
  });

  it("keep the learned open-hour prior's read and the short links' settings, never the link store's put", () => {
    const { deps } = guardedWorld();
    const put = async () => {
      throw new Error("a dry run stored a link");
    };
    const reads = dispatchReads({
      ...deps,
      openHourPriors: { get: async () => undefined },
      sms: {
        renderer: { render: () => ({ ok: false, error: new SmsTemplateError("unused") }) },
        links: { apiBaseUrl: "https://api.example.com", ttlMs: 1, ...{ store: { put } } },
      },
    });
    expect(methodsOf({ openHourPriors: reads.openHourPriors, sms: reads.sms }).sort()).toEqual([
      "openHourPriors.get",
      "sms.renderer.render",
    ]);
    expect(reads.sms?.links).toEqual({ apiBaseUrl: "https://api.example.com", ttlMs: 1 });
  });

  it("the fan-out's readers are narrowed to their page and status reads", () => {
    // Prepare
    const { scan } = guardedWorld();
    const writes = { page: async () => ({ customerIds: [] }), sync: async () => 0, erase: async () => 0 };

    // Act
    const reads = audienceReads({ profiles: scan, memberIndex: writes });

    // Assess
    expect(methodsOf(reads).sort()).toEqual(["memberIndex.page", "profiles.page"]);
  });

  it("a whole dry run over guarded ports reaches no write, and still decides as dispatch does", async () => {
    // Prepare
    const { deps, scan, reached, world } = guardedWorld();

    // Act
    const report = await dryRunCampaign({ dispatch: deps, profiles: scan }, { campaignId: "weekly", at: T0 });

    // Assess
    expect(reached).toEqual([]);
    expect(report).toMatchObject({ members: 3, decided: 3, wouldSend: 3, retry: {}, failed: {} });
    expect(world.ledger.log).toHaveLength(0);
    expect(world.mailer.sent).toHaveLength(0);
  });
});
