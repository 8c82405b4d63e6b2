import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { toApiRequest, toGatewayResult } from "#functions/api/gateway-event.js";
import { lambdaContext } from "#infra/local/kinesis-event.js";
import type { ApiDeps } from "#shared/app/api/api-deps.js";
import { RefreshingLinkKeys } from "#shared/app/api/link-key-source.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import type { EventRecord, EventWriteOutcome, EventWriter, StoredProfile } from "#shared/ports.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";
import { type LinkPurpose, signLinkToken } from "#shared/render/signed-links.js";

export const SECRET = "a-test-link-secret-of-at-least-32-bytes!!";
export const NOW = Date.parse("2026-11-20T12:00:00Z");

/** The Lambda context the deployed API function gets, at `now`. */
export function apiLambdaContext(now: number): Context {
  return lambdaContext(
    {
      functionName: "tailor-api",
      functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tailor-api",
      memorySize: 512,
      timeoutSeconds: 30,
    },
    now,
  );
}

/** Records every put; `refuse` makes it refuse every record (a stream that is throttling). */
export class RecordingEventWriter implements EventWriter {
  readonly puts: EventRecord[][] = [];
  refuse = false;

  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    if (this.refuse) return { accepted: 0, rejected: records.map((_, i) => i) };
    this.puts.push([...records]);
    return { accepted: records.length, rejected: [] };
  }

  get records(): EventRecord[] {
    return this.puts.flat();
  }
}

/** A profile with traits and consent, as the fold would leave it. */
export function profileWith(customerId: string, patch: Partial<Profile>): Profile {
  return { ...emptyProfile(customerId, NOW - 86_400_000), ...patch };
}

export interface Harness {
  readonly deps: ApiDeps;
  readonly events: RecordingEventWriter;
  readonly profiles: Map<string, Profile>;
  /** Moves the harness clock. */
  now: number;
  call(event: Partial<GatewayEventInput>): Promise<{
    statusCode: number;
    headers: Record<string, string | number | boolean>;
    body: string;
  }>;
}

export interface GatewayEventInput {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** An API Gateway (payload 2.0) event, as the HTTP API sends it for one of our routes. */
export function gatewayEvent(input: Partial<GatewayEventInput>): APIGatewayProxyEventV2 {
  const method = input.method ?? "GET";
  const path = input.path ?? "/unsubscribe";
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: input.query ?? "",
    headers: input.headers ?? {},
    isBase64Encoded: input.isBase64Encoded ?? false,
    ...(input.body === undefined ? {} : { body: input.body }),
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
      requestId: "req-1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "20/Nov/2026:12:00:00 +0000",
      timeEpoch: NOW,
    },
  };
}

/** The API's core (router + gateway mapping) over a recording writer, a map of profiles and a real secret. */
export function harness(shop = { name: "Acme Shop", url: "https://shop.example.com/" }): Harness {
  const events = new RecordingEventWriter();
  const profiles = new Map<string, Profile>();
  const state: Harness = {
    events,
    profiles,
    now: NOW,
    deps: {
      profiles: {
        get: async (customerId: string): Promise<StoredProfile | undefined> => {
          const profile = profiles.get(customerId);
          return profile === undefined ? undefined : { profile: structuredClone(profile), itemBytes: 100 };
        },
      },
      events,
      clock: { now: () => state.now },
      linkKeys: new RefreshingLinkKeys({
        load: async () => parseLinkKeyRing(SECRET),
        clock: { now: () => state.now },
        graceMs: 90 * 86_400_000,
      }),
      shop,
    },
    async call(input) {
      const result = toGatewayResult(await routeApiRequest(state.deps, toApiRequest(gatewayEvent(input))));
      return { statusCode: result.statusCode ?? 0, headers: result.headers ?? {}, body: result.body ?? "" };
    },
  };
  return state;
}

/** A token signed with the harness secret. */
export function token(
  purpose: LinkPurpose,
  options: { customerId?: string; campaignId?: string; expiresAt?: number; secret?: string } = {},
): string {
  return signLinkToken(
    {
      purpose,
      customerId: options.customerId ?? "c-42",
      campaignId: options.campaignId ?? "cart-abandonment",
      expiresAt: options.expiresAt ?? NOW + 30 * 86_400_000,
    },
    options.secret ?? SECRET,
  );
}

/** `t=<token>` for a query string. */
export const q = (t: string) => `t=${encodeURIComponent(t)}`;

/** Flips one character of the token's payload (`part` 0) or signature (`part` 1), keeping it base64url. */
export function tamper(t: string, part: 0 | 1): string {
  const pieces = t.split(".");
  const piece = pieces[part] ?? "";
  const at = Math.floor(piece.length / 2);
  const flipped = piece[at] === "A" ? "B" : "A";
  pieces[part] = `${piece.slice(0, at)}${flipped}${piece.slice(at + 1)}`;
  return pieces.join(".");
}
