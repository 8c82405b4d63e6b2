import type { CostLine } from "./cost-model.js";
import { PRICES, type Price } from "./cost-prices.js";

/** How much the console on AWS (`-c console=on`) is used in a month. */
export interface ConsoleVolumes {
  /** Operators who sign in in the month (Cognito bills monthly active users). */
  readonly operators: number;
}

/** What the console adds to the stack (`infra/components/console*.ts`; test/operations/cost.test.ts checks it). */
export const CONSOLE_RESOURCES = {
  /** The page bucket's key. */
  kmsKeys: 1,
} as const;

/** The console's assumptions per operator and month, printed with the estimate. */
export const CONSOLE_ASSUMED = {
  /** Page loads (index.html, app.js, app.css, config.json: 4 requests, about 300 KB) per operator. */
  pageLoadsPerOperator: 400,
  requestsPerPageLoad: 4,
  bytesPerPageLoad: 300 * 1024,
  /** Admin API calls per operator (searches, profiles, previews, charts), about 20 KB each, 150 ms at 1 GB. */
  adminCallsPerOperator: 5000,
  bytesPerAdminCall: 20 * 1024,
  adminCallMs: 150,
} as const;

const CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/";

/** The public prices (us-east-1, no free tier) of what only the console uses. */
export const CONSOLE_PRICES = {
  cognitoPlusMau: {
    usd: 0.02,
    per: 1,
    unit: "monthly active user (Cognito Plus)",
    source: "https://aws.amazon.com/cognito/pricing/",
  },
  cloudFrontHttpsRequests: { usd: 0.01, per: 10_000, unit: "HTTPS request (US/Europe)", source: CLOUDFRONT },
  cloudFrontDataOut: { usd: 0.085, per: 1, unit: "GB out (US/Europe, first 10 TB)", source: CLOUDFRONT },
  cloudFrontFunctions: { usd: 0.1, per: 1e6, unit: "CloudFront Functions invocation", source: CLOUDFRONT },
  httpApiRequests: {
    usd: 1,
    per: 1e6,
    unit: "HTTP API request",
    source: "https://aws.amazon.com/api-gateway/pricing/",
  },
} as const satisfies Readonly<Record<string, Price>>;

const GB = 1024 ** 3;

function consoleLine(item: string, quantity: number, price: Price, service = "Console"): CostLine {
  return { service, item, quantity, price, usd: (quantity / price.per) * price.usd };
}

/**
 * The console's monthly lines: Cognito (Plus, for its threat protection), CloudFront (requests, data out, the
 * SPA fallback function), the admin API's HTTP API requests and Lambda time, and the page bucket's key.
 */
export function consoleCostLines(volumes: ConsoleVolumes): CostLine[] {
  const a = CONSOLE_ASSUMED;
  const pageLoads = volumes.operators * a.pageLoadsPerOperator;
  const adminCalls = volumes.operators * a.adminCallsPerOperator;
  const requests = pageLoads * a.requestsPerPageLoad + adminCalls;
  return [
    consoleLine(
      "Cognito sign-in (Plus: threat protection)",
      volumes.operators,
      CONSOLE_PRICES.cognitoPlusMau,
    ),
    consoleLine(
      "CloudFront HTTPS requests (page and admin API)",
      requests,
      CONSOLE_PRICES.cloudFrontHttpsRequests,
    ),
    consoleLine(
      "CloudFront data out",
      (pageLoads * a.bytesPerPageLoad + adminCalls * a.bytesPerAdminCall) / GB,
      CONSOLE_PRICES.cloudFrontDataOut,
    ),
    consoleLine("CloudFront Functions (SPA fallback)", pageLoads, CONSOLE_PRICES.cloudFrontFunctions),
    consoleLine("admin API requests (HTTP API)", adminCalls, CONSOLE_PRICES.httpApiRequests),
    consoleLine(
      "admin API Lambda time (arm64, 1 GB)",
      adminCalls * (a.adminCallMs / 1000),
      PRICES.lambdaArmCompute,
    ),
    consoleLine("admin API Lambda invocations", adminCalls, PRICES.lambdaRequests),
    consoleLine("the page bucket's KMS key", CONSOLE_RESOURCES.kmsKeys, PRICES.kmsKeys),
  ];
}
