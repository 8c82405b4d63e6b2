import { shortHash } from "./dedup.js";
import { EMAIL_RING_SIZE, type EmailStats, type Profile } from "./profile.js";
import { lastAt } from "./windows.js";

const OPENED = 1;
const CLICKED = 2;
const ENTRY = 9; // 8-character hash + 1 flag digit

/** What a segment or a report needs to know about a customer's email engagement. */
export interface EmailEngagement {
  readonly delivered: number;
  readonly opened: number;
  readonly clicked: number;
  readonly bounced: number;
  readonly complained: number;
  readonly lastOpenAt?: number;
  readonly lastClickAt?: number;
  /** Sends opened at least once / sends delivered, all time (0 when nothing was delivered). */
  readonly openRate: number;
  /** Sends clicked at least once / sends delivered, all time. */
  readonly clickRate: number;
  /** Number of sends in the recent ring (at most {@link EMAIL_RING_SIZE}). */
  readonly recentSends: number;
  /** Share of the recent sends opened. */
  readonly recentOpenRate: number;
  /** Share of the recent sends clicked. */
  readonly recentClickRate: number;
}

/**
 * Records a delivery, open or click of the email with message id `emailMessageId` in the ring of recent sends.
 * An open or click of a send not in the ring (its delivery not seen yet) adds it, so the send counts once.
 * A click implies an open (images are often blocked).
 */
export function recordEmail(
  profile: Profile,
  action: "delivered" | "opened" | "clicked",
  emailMessageId: string,
) {
  const stats: EmailStats = profile.e ?? { uo: 0, uc: 0, r: "" };
  const hash = shortHash(emailMessageId);
  let at = -1;
  for (let i = 0; i + ENTRY <= stats.r.length; i += ENTRY) {
    if (stats.r.slice(i, i + 8) === hash) at = i;
  }
  const before = at >= 0 ? Number(stats.r[at + 8]) : 0;
  const flags = before | (action === "clicked" ? OPENED | CLICKED : action === "opened" ? OPENED : 0);
  if (flags & OPENED && !(before & OPENED)) stats.uo++;
  if (flags & CLICKED && !(before & CLICKED)) stats.uc++;
  if (at >= 0) {
    stats.r = `${stats.r.slice(0, at + 8)}${flags}${stats.r.slice(at + ENTRY)}`;
  } else {
    stats.r = `${stats.r}${hash}${flags}`.slice(-EMAIL_RING_SIZE * ENTRY);
  }
  profile.e = stats;
}

/** The customer's email engagement: counts, last times, all-time and recent open and click rates. */
export function emailEngagement(profile: Profile): EmailEngagement {
  const count = (code: "ed" | "eo" | "ec" | "eb" | "ep") => profile.k[code]?.n ?? 0;
  const delivered = count("ed");
  const ring = profile.e?.r ?? "";
  let sends = 0;
  let opened = 0;
  let clicked = 0;
  for (let i = 0; i + ENTRY <= ring.length; i += ENTRY) {
    const flags = Number(ring[i + 8]);
    sends++;
    if (flags & OPENED) opened++;
    if (flags & CLICKED) clicked++;
  }
  const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.min(1, part / whole));
  return {
    delivered,
    opened: count("eo"),
    clicked: count("ec"),
    bounced: count("eb"),
    complained: count("ep"),
    lastOpenAt: lastAt(profile, "email_opened"),
    lastClickAt: lastAt(profile, "email_clicked"),
    openRate: rate(profile.e?.uo ?? 0, delivered),
    clickRate: rate(profile.e?.uc ?? 0, delivered),
    recentSends: sends,
    recentOpenRate: rate(opened, sends),
    recentClickRate: rate(clicked, sends),
  };
}
