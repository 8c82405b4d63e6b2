import type { CampaignLibrary } from "../../domain/campaigns/library.js";
import type { SegmentLibrary } from "../../domain/segments/index.js";
import type {
  IdentityStore,
  MemberIndexStatus,
  OpenHourPriorStore,
  ProfilePages,
  ProfileStore,
  SegmentMemberIndex,
  SendLedger,
} from "../../ports.js";
import type { LinkKeyRing } from "../../render/link-keys.js";
import type { ShopView } from "../../render/render-context.js";
import type { LinkSettings } from "../../render/signed-links.js";
import type { SmsRenderer } from "../../render/sms-templates.js";
import type { DispatchDeps } from "../dispatch-deps.js";
import type { EmailContextDeps } from "../email-context.js";
import type { SubjectOverrides } from "../subject-override.js";

/**
 * What a dry run may reach of dispatch's dependencies: the reading ports only, each with its reading methods
 * only. It is an allowlist: a dependency added to {@link DispatchDeps} later is not in it until it is added here
 * by name, so it cannot write in a dry run by default.
 */
export interface DispatchReads {
  /** Frequency caps, content rotation, and whether an intent was settled already. */
  readonly ledger: Pick<SendLedger, "recent">;
  readonly profiles: Pick<ProfileStore, "get">;
  readonly identities?: Pick<IdentityStore, "resolveIds">;
  readonly library: CampaignLibrary;
  readonly renderer: DispatchDeps["renderer"];
  readonly content: EmailContextDeps;
  readonly links: LinkSettings;
  readonly linkKeys?: () => Promise<LinkKeyRing>;
  readonly shop: ShopView;
  readonly subjects?: SubjectOverrides;
  /**
   * The SMS channel's renderer (texts are rendered and counted, never sent) and how their links are shortened
   * (counted as sent; no link is stored).
   */
  readonly sms?: {
    readonly renderer: Pick<SmsRenderer, "render"> & Partial<Pick<SmsRenderer, "reads">>;
    readonly links?: { readonly apiBaseUrl: string; readonly ttlMs: number };
  };
  /** The learned open-hour prior of best-time steps (as dispatch decides them). */
  readonly openHourPriors?: Pick<OpenHourPriorStore, "get">;
  readonly concurrency?: number;
}

/** What a dry run may reach of the fan-out's dependencies: its audience readers. */
export interface AudienceReads {
  readonly profiles: Pick<ProfilePages, "page">;
  readonly memberIndex?: Pick<SegmentMemberIndex, "page">;
  readonly memberIndexStatus?: Pick<MemberIndexStatus, "rebuiltAt">;
  readonly segmentLibrary?: Pick<SegmentLibrary, "byId">;
}

/** `source`'s dispatch dependencies narrowed to {@link DispatchReads}: new objects holding the read methods only. */
export function dispatchReads(source: DispatchReads): DispatchReads {
  const { ledger, profiles, identities, renderer, content, sms, linkKeys, openHourPriors } = source;
  const { catalog, recommender, contentLibrary } = content;
  const reads = renderer.reads;
  return {
    ledger: { recent: (...args) => ledger.recent(...args) },
    profiles: { get: (customerId) => profiles.get(customerId) },
    ...(identities === undefined ? {} : { identities: { resolveIds: (ids) => identities.resolveIds(ids) } }),
    library: source.library,
    renderer: {
      render: (request) => renderer.render(request),
      templates: () => renderer.templates(),
      ...(reads === undefined ? {} : { reads: (...args) => reads.call(renderer, ...args) }),
    },
    content: {
      catalog: {
        getMany: (ids) => catalog.getMany(ids),
        bestSellers: (query) => catalog.bestSellers(query),
      },
      ...(recommender === undefined
        ? {}
        : { recommender: { recommend: (request) => recommender.recommend(request) } }),
      ...(contentLibrary === undefined ? {} : { contentLibrary: { all: () => contentLibrary.all() } }),
    },
    links: source.links,
    ...(linkKeys === undefined ? {} : { linkKeys: () => linkKeys() }),
    shop: source.shop,
    ...(source.subjects === undefined ? {} : { subjects: source.subjects }),
    ...(sms === undefined ? {} : { sms: smsReads(sms) }),
    ...(openHourPriors === undefined ? {} : { openHourPriors: { get: () => openHourPriors.get() } }),
    ...(source.concurrency === undefined ? {} : { concurrency: source.concurrency }),
  };
}

/** The SMS channel's reads: rendering (and which variables a text reads), and the links' settings without a store. */
function smsReads(sms: NonNullable<DispatchReads["sms"]>): NonNullable<DispatchReads["sms"]> {
  const { renderer, links } = sms;
  const reads = renderer.reads;
  return {
    renderer: {
      render: (...args) => renderer.render(...args),
      ...(reads === undefined ? {} : { reads: (...args) => reads.call(renderer, ...args) }),
    },
    ...(links === undefined ? {} : { links: { apiBaseUrl: links.apiBaseUrl, ttlMs: links.ttlMs } }),
  };
}

/** `source`'s audience readers narrowed to {@link AudienceReads}: new objects holding the read methods only. */
export function audienceReads(source: AudienceReads): AudienceReads {
  const { profiles, memberIndex, memberIndexStatus, segmentLibrary } = source;
  return {
    profiles: { page: (...args) => profiles.page(...args) },
    ...(memberIndex === undefined ? {} : { memberIndex: { page: (...args) => memberIndex.page(...args) } }),
    ...(memberIndexStatus === undefined
      ? {}
      : { memberIndexStatus: { rebuiltAt: () => memberIndexStatus.rebuiltAt() } }),
    ...(segmentLibrary === undefined ? {} : { segmentLibrary: { byId: segmentLibrary.byId } }),
  };
}
