import type { Clock, EventWriter, ProfileStore } from "#shared/ports.js";
import type { ConsoleDeps } from "../console/console-deps.js";
import type { PrivacyDeps } from "../privacy/privacy-ports.js";
import type { OnsiteDeps } from "./content-routes.js";
import type { LinkKeySource } from "./link-key-source.js";
import type { ShortLinkDeps } from "./short-link-route.js";
import type { WriteKeyVerifier } from "./write-key-auth.js";

/** The shop, as the pages name it. */
export interface ShopInfo {
  readonly name: string;
  readonly url: string;
}

/** What the HTTP API's use cases need. */
export interface ApiDeps {
  /** Read to show the masked address and the consent state. */
  readonly profiles: Pick<ProfileStore, "get">;
  /** Where unsubscribes, consent changes and `POST /v1/events` go. */
  readonly events: EventWriter;
  readonly clock: Clock;
  /** The HMAC keys of signed links (loaded and cached by the composition root; refreshed on an unknown key id). */
  readonly linkKeys: LinkKeySource;
  readonly shop: ShopInfo;
  /**
   * Erasure and export of a customer (`DELETE /v1/customers/{id}`, `GET /v1/customers/{id}/export`).
   * @default - the admin routes answer 404
   */
  readonly privacy?: PrivacyDeps;
  /**
   * Segment's HTTP Tracking API (`/v1/batch`, `/v1/track`, …, the browser library's settings).
   * @default - those routes answer 404
   */
  readonly segment?: SegmentApiDeps;
  /**
   * The console's read API (`/v1/admin/...`): customers, segments, templates, campaigns.
   * @default - those routes answer 404
   */
  readonly console?: ConsoleDeps;
  /**
   * On-site content (`GET /v1/content/{slot}`), authorised by the Segment routes' write keys.
   * @default - that route answers 404
   */
  readonly onsite?: OnsiteDeps;
  /**
   * Texts' short links (`GET /l/{token}`, with `-c sms=on`): the redirect and the `SMS Clicked` event.
   * @default - that route answers 404
   */
  readonly shortLinks?: ShortLinkDeps;
}

/** What the Segment-compatible routes need. */
export interface SegmentApiDeps {
  /** Checks the write key a request was sent with (cached briefly). */
  readonly writeKeys: WriteKeyVerifier;
  /** Origins browsers may call from: `["*"]` for any (never with credentials), else the exact origins. */
  readonly corsOrigins: readonly string[];
}
