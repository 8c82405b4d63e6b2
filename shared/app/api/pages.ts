import type { ShopInfo } from "./api-deps.js";
import { html, SafeHtml } from "./html.js";

// Constant CSS of this module (trusted, never user input), inline because the CSP allows no external assets.
const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:34rem;margin:3rem auto;
padding:0 1rem;color:#1f2328;line-height:1.5}h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1rem;
border-radius:.4rem;border:1px solid #1f2328;background:#1f2328;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f2328}p.note{color:#59636e;font-size:.9rem}`;

/** A link to the shop, only when its URL is http(s): anything else is shown as text. */
function shopLink(shop: ShopInfo): SafeHtml {
  const safe = URL.canParse(shop.url) && /^https?:$/.test(new URL(shop.url).protocol);
  return safe ? html`<a href="${shop.url}">${shop.name}</a>` : html`${shop.name}`;
}

/** Relative link to a sibling route with the token, so it works behind any stage prefix. */
function withToken(route: string, token: string): string {
  return `${route}?t=${encodeURIComponent(token)}`;
}

function page(shop: ShopInfo, title: string, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · ${shop.name}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><main>${content}</main><footer><p class="note">${shopLink(shop)}</p></footer></body></html>
`.value;
}

function who(maskedEmail: string | undefined): SafeHtml {
  return maskedEmail === undefined ? html`your address` : html`<strong>${maskedEmail}</strong>`;
}

/** `GET /unsubscribe`: confirm before unsubscribing; works without JavaScript. */
export function unsubscribeConfirmPage(options: {
  shop: ShopInfo;
  firstName: string | undefined;
  maskedEmail: string | undefined;
  token: string;
  preferencesToken: string;
}): string {
  const { shop } = options;
  return page(
    shop,
    "Unsubscribe",
    html`<h1>Unsubscribe</h1>${options.firstName === undefined ? html`` : html`<p>Hi ${options.firstName},</p>`}
<p>You are about to unsubscribe ${who(options.maskedEmail)} from marketing email from ${shop.name}.</p>
<form method="post" action="${withToken("unsubscribe", options.token)}">
<input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>
<p class="note">You will still receive emails about your orders. Rather choose what you receive?
<a href="${withToken("preferences", options.preferencesToken)}">Manage your email preferences</a>.</p>`,
  );
}

/** After an unsubscribe (the page's form, or a mail client's one-click POST). */
export function unsubscribedPage(options: { shop: ShopInfo; preferencesToken: string }): string {
  const { shop } = options;
  return page(
    shop,
    "Unsubscribed",
    html`<h1>You are unsubscribed</h1>
<p>You will no longer receive marketing email from ${shop.name}. It can take a few minutes to take effect.</p>
<p class="note">Changed your mind? <a href="${withToken("preferences", options.preferencesToken)}">Manage your email preferences</a>.</p>`,
  );
}

/** `GET`/`POST /preferences`: the marketing email consent and a toggle. */
export function preferencesPage(options: {
  shop: ShopInfo;
  maskedEmail: string | undefined;
  token: string;
  subscribed: boolean;
  saved: boolean;
}): string {
  const { shop, subscribed } = options;
  const state = subscribed
    ? html`${who(options.maskedEmail)} receives marketing email from ${shop.name}.`
    : html`${who(options.maskedEmail)} does not receive marketing email from ${shop.name}.`;
  const button = subscribed
    ? html`<button type="submit" name="marketing_email" value="no" class="secondary">Stop marketing email</button>`
    : html`<button type="submit" name="marketing_email" value="yes">Receive marketing email</button>`;
  const saved = options.saved
    ? html`<p role="status"><strong>Saved.</strong> It can take a few minutes to take effect.</p>`
    : html``;
  return page(
    shop,
    "Email preferences",
    html`<h1>Email preferences</h1>${saved}
<p>${state}</p>
<form method="post" action="${withToken("preferences", options.token)}">${button}</form>
<p class="note">Emails about your orders are not affected.</p>`,
  );
}

/** A link that failed verification: nothing was changed. */
export function invalidLinkPage(shop: ShopInfo): string {
  return page(
    shop,
    "Link not valid",
    html`<h1>This link is not valid</h1>
<p>It may have expired or been altered. Nothing was changed.</p>
<p class="note">Use the link in a recent email from ${shop.name}, or contact the shop.</p>`,
  );
}

/** The request could not be recorded now; nothing was changed, try again. */
export function unavailablePage(shop: ShopInfo): string {
  return page(
    shop,
    "Try again",
    html`<h1>Please try again in a moment</h1>
<p>We could not record your request just now. Nothing was changed.</p>`,
  );
}

/** An unexpected failure: says nothing about its cause. */
export function errorPage(shop: ShopInfo): string {
  return page(
    shop,
    "Something went wrong",
    html`<h1>Something went wrong</h1><p>Nothing was changed. Please try again later.</p>`,
  );
}

/** A form posted without the expected field. */
export function badFormPage(shop: ShopInfo): string {
  return page(
    shop,
    "Nothing changed",
    html`<h1>Nothing was changed</h1><p>The form was incomplete. Go back and choose again.</p>`,
  );
}

/** `GET /confirm`: double opt-in, confirmed with a button (mail scanners follow links, they do not submit forms). */
export function confirmSubscriptionPage(options: { shop: ShopInfo; token: string }): string {
  const { shop } = options;
  return page(
    shop,
    "Confirm your subscription",
    html`<h1>Confirm your subscription</h1>
<p>Please confirm that you want news and offers from ${shop.name} by email.</p>
<form method="post" action="${withToken("confirm", options.token)}">
<input type="hidden" name="confirm" value="yes"><button type="submit">Yes, subscribe me</button></form>
<p class="note">Not you? Close this page: nothing will be sent.</p>`,
  );
}

/** After the double opt-in was confirmed. */
export function subscriptionConfirmedPage(shop: ShopInfo): string {
  return page(
    shop,
    "Subscribed",
    html`<h1>Thank you, you are subscribed</h1>
<p>You will receive news and offers from ${shop.name}. Every email has a link to unsubscribe.</p>`,
  );
}
