import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";
import { MissingSettingError, type RequiredSetting } from "./missing-setting-error.js";

/**
 * What the campaigns are sent as and how fast: stack props, else CDK context (`-c key=value`), else defaults.
 * The sender and the shop have no default: every email shows them, so a synth without them fails
 * ({@link MissingSettingError}) rather than deploy a stack that sends as an invented shop.
 */
export interface CampaignSettingsInput {
  /** Required. The `From` of every email: a verified SES identity's address, optionally with a display name. */
  readonly fromAddress?: string;
  /**
   * The SES identity (domain or address) dispatch may send as; IAM limits `ses:SendEmail` to it.
   * @default - the domain of `fromAddress`
   */
  readonly sendingIdentity?: string;
  /** Required. Shown in emails and on the preference pages. */
  readonly shopName?: string;
  /** Required. The shop's home page, linked from every email's header. */
  readonly shopUrl?: string;
  /** Required. The logo in every email's header. */
  readonly shopLogoUrl?: string;
  /** Required. The shop's postal address, which anti-spam law (CAN-SPAM) wants in marketing emails' footer. */
  readonly shopPostalAddress?: string;
  /**
   * The account's SES send rate (emails per second), shared by the dispatch instances.
   * @default 14, SES's common production rate
   */
  readonly sendRatePerSecond?: number;
  /**
   * Most dispatch instances the sends queue runs at once (2 to 1000).
   * @default 2
   */
  readonly dispatchMaxConcurrency?: number;
  /**
   * SageMaker endpoint of the recommendation model; `none` for best sellers only. When the endpoint does not
   * answer in time, the emails fall back to the customer's favourite categories' best sellers.
   * @default "tailor-recommendations"
   */
  readonly recommenderEndpoint?: string;
  /**
   * Name of the SES configuration set (the functions and the local stack know it by this name).
   * @default "tailor"
   */
  readonly configurationSetName?: string;
}

/** The settings, checked and complete. */
export interface CampaignSettings {
  readonly fromAddress: string;
  readonly sendingIdentity: string;
  readonly shopName: string;
  readonly shopUrl: string;
  readonly shopLogoUrl: string;
  readonly shopPostalAddress: string;
  readonly sendRatePerSecond: number;
  readonly dispatchMaxConcurrency: number;
  /** What one dispatch instance may send per second: the account's rate shared by the instances. */
  readonly sendRatePerInstance: number;
  readonly recommenderEndpoint: string | undefined;
  readonly configurationSetName: string;
}

/** The context keys read, the same names as the props. */
export const CAMPAIGN_CONTEXT_KEYS = [
  "fromAddress",
  "sendingIdentity",
  "shopName",
  "shopUrl",
  "shopLogoUrl",
  "shopPostalAddress",
  "sendRatePerSecond",
  "dispatchMaxConcurrency",
  "recommenderEndpoint",
  "configurationSetName",
] as const;

const ADDRESS = /^(?:[^<>]*<\s*([^\s<>@]+@([^\s<>@]+))\s*>|([^\s<>@]+@([^\s<>@]+)))$/;

const settingsSchema = z.object({
  fromAddress: z.string().trim().regex(ADDRESS, "an address, optionally as `Name <address>`"),
  sendingIdentity: z
    .string()
    .regex(/^[^\s/*]+$/, "a domain or an address, without wildcards")
    .optional(),
  shopName: z.string().min(1),
  shopUrl: z.url(),
  shopLogoUrl: z.url(),
  shopPostalAddress: z.string().min(1),
  sendRatePerSecond: z.coerce.number().positive(),
  dispatchMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  recommenderEndpoint: z.string().min(1).optional(),
  configurationSetName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and -, at most 64"),
});

/** The settings every email shows: no default could be right for a real shop. */
export const REQUIRED_CAMPAIGN_SETTINGS: readonly (RequiredSetting & {
  readonly key: (typeof CAMPAIGN_CONTEXT_KEYS)[number];
})[] = [
  {
    key: "fromAddress",
    what: "the From of every email, a verified SES identity",
    example: "Shop <news@shop.example>",
  },
  { key: "shopName", what: "shown in emails and on the preference pages", example: "Shop" },
  { key: "shopUrl", what: "the shop's home page, linked from every email", example: "https://shop.example" },
  { key: "shopLogoUrl", what: "the logo in every email's header", example: "https://shop.example/logo.png" },
  {
    key: "shopPostalAddress",
    what: "the shop's postal address, required in marketing emails' footer",
    example: "Shop Ltd, 1 High Street, London N1 1AA, UK",
  },
];

const defaults: Partial<Record<(typeof CAMPAIGN_CONTEXT_KEYS)[number], string | number>> = {
  sendRatePerSecond: 14,
  dispatchMaxConcurrency: 2,
  configurationSetName: "tailor",
  recommenderEndpoint: "tailor-recommendations",
};

/**
 * Resolves the campaign settings: each from the props, else the CDK context of `node`, else its default.
 * Throws {@link MissingSettingError} naming every required setting not given, else {@link InfraConfigError}
 * naming every invalid one.
 */
export function resolveCampaignSettings(input: CampaignSettingsInput, node: Node): CampaignSettings {
  const raw: Record<string, unknown> = {};
  for (const key of CAMPAIGN_CONTEXT_KEYS) {
    const value: unknown = input[key] ?? node.tryGetContext(key);
    raw[key] = value ?? defaults[key];
  }
  const missing = REQUIRED_CAMPAIGN_SETTINGS.filter(({ key }) => raw[key] === undefined || raw[key] === "");
  if (missing.length > 0) throw new MissingSettingError(missing);
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new InfraConfigError(`invalid campaign settings: ${problems.join("; ")}`);
  }
  const settings = parsed.data;
  const match = ADDRESS.exec(settings.fromAddress);
  const domain = match?.[2] ?? match?.[4];
  if (domain === undefined) throw new InfraConfigError(`fromAddress ${settings.fromAddress} has no domain`);
  return {
    ...settings,
    sendingIdentity: settings.sendingIdentity ?? domain,
    sendRatePerInstance: settings.sendRatePerSecond / settings.dispatchMaxConcurrency,
    recommenderEndpoint: settings.recommenderEndpoint === "none" ? undefined : settings.recommenderEndpoint,
  };
}
