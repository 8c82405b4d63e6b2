import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";

/** What the campaigns are sent as and how fast: stack props, else CDK context (`-c key=value`), else defaults. */
export interface CampaignSettingsInput {
  /**
   * The `From` of every email: a verified SES identity's address, optionally with a display name.
   * @default "Tailor Shop <shop@example.com>"
   */
  readonly fromAddress?: string;
  /**
   * The SES identity (domain or address) dispatch may send as; IAM limits `ses:SendEmail` to it.
   * @default - the domain of `fromAddress`
   */
  readonly sendingIdentity?: string;
  /** Shown in emails and on the preference pages. @default "Tailor Shop" */
  readonly shopName?: string;
  /** @default "https://shop.example.com" */
  readonly shopUrl?: string;
  /** @default "https://shop.example.com/logo.png" */
  readonly shopLogoUrl?: string;
  /** Required by anti-spam law in the footer of marketing emails. @default an example address */
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

const defaults: Partial<Record<(typeof CAMPAIGN_CONTEXT_KEYS)[number], string | number>> = {
  fromAddress: "Tailor Shop <shop@example.com>",
  shopName: "Tailor Shop",
  shopUrl: "https://shop.example.com",
  shopLogoUrl: "https://shop.example.com/logo.png",
  shopPostalAddress: "1 Example Street, 75001 Paris, France",
  sendRatePerSecond: 14,
  dispatchMaxConcurrency: 2,
  configurationSetName: "tailor",
  recommenderEndpoint: "tailor-recommendations",
};

/**
 * Resolves the campaign settings: each from the props, else the CDK context of `node`, else its default.
 * Throws {@link InfraConfigError} naming every invalid setting.
 */
export function resolveCampaignSettings(input: CampaignSettingsInput, node: Node): CampaignSettings {
  const raw: Record<string, unknown> = {};
  for (const key of CAMPAIGN_CONTEXT_KEYS) {
    const value: unknown = input[key] ?? node.tryGetContext(key);
    raw[key] = value ?? defaults[key];
  }
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
