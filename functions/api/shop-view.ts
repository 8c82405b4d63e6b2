import type { ShopView } from "#shared/render/render-context.js";
import type { ApiEnv } from "./env.js";

/**
 * The shop as the API function renders it (on-site blocks, the console's dry run): its name, site and logo from
 * the environment, pictures under `<SHOP_URL>/images`; no postal address (the API has none to show).
 */
export function apiShopView(env: Pick<ApiEnv, "SHOP_NAME" | "SHOP_URL" | "SHOP_LOGO_URL">): ShopView {
  const shop = env.SHOP_URL.replace(/\/+$/, "");
  return {
    name: env.SHOP_NAME,
    url: env.SHOP_URL,
    logo_url: env.SHOP_LOGO_URL ?? `${shop}/logo.png`,
    images_url: `${shop}/images`,
    postal_address: "",
  };
}
