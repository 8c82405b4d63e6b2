/** The "Segment.io" integration's settings, as analytics-next reads them. */
export interface SegmentIoSettings {
  readonly apiKey: string;
  /** Host and path the library posts to, without the scheme: `<host>/v1`. */
  readonly apiHost: string;
  readonly protocol: "http" | "https";
  readonly unbundledIntegrations: readonly string[];
  readonly addBundledMetadata: boolean;
  readonly maybeBundledConfigIds: Readonly<Record<string, readonly string[]>>;
}

/** The settings document Segment's CDN serves for a write key, reduced to what points the library here. */
export interface SegmentSettingsDocument {
  readonly integrations: { readonly "Segment.io": SegmentIoSettings };
  readonly plan: Readonly<Record<string, never>>;
  readonly enabledMiddleware: Readonly<Record<string, never>>;
  readonly middlewareSettings: Readonly<Record<string, never>>;
  readonly metrics: { readonly sampleRate: 0 };
  readonly legacyVideoPluginsEnabled: false;
  readonly remotePlugins: readonly never[];
}

/**
 * The settings for `writeKey`: the "Segment.io" integration alone (one integration: no device-mode destination
 * is loaded), sending to `apiHost` over `protocol`; no remote plugins, no middleware, no tracking plan, and
 * metrics off (the library would otherwise post its own metrics to `<apiHost>/m`).
 */
export function segmentSettings(
  writeKey: string,
  apiHost: string,
  protocol: "http" | "https",
): SegmentSettingsDocument {
  return {
    integrations: {
      "Segment.io": {
        apiKey: writeKey,
        apiHost,
        protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
      },
    },
    plan: {},
    enabledMiddleware: {},
    middlewareSettings: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}
