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

/** The ring's sends, oldest first: where each entry starts, its hash and its flags. */
function* sends(ring: string): Generator<{ at: number; hash: string; flags: number }> {
  for (let at = 0; at + ENTRY <= ring.length; at += ENTRY) {
    yield { at, hash: ring.slice(at, at + 8), flags: Number(ring[at + 8]) };
  }
}

/**
 * Records a delivery, open or click of the email with message id `emailMessageId` in the ring of recent sends.
 * An open or click of a send not in the ring (its delivery not seen yet) adds it, so the send counts once.
 * A click implies an open (images are often blocked). Returns whether this was the send's first open.
 */
export function recordEmail(
  profile: Profile,
  action: "delivered" | "opened" | "clicked",
  emailMessageId: string,
): boolean {
  const stats: EmailStats = profile.e ?? { uo: 0, uc: 0, r: "" };
  const hash = shortHash(emailMessageId);
  const known = [...sends(stats.r)].find((send) => send.hash === hash);
  const before = known?.flags ?? 0;
  const flags = before | (action === "clicked" ? OPENED | CLICKED : action === "opened" ? OPENED : 0);
  if (flags & OPENED && !(before & OPENED)) stats.uo++;
  if (flags & CLICKED && !(before & CLICKED)) stats.uc++;
  stats.r =
    known === undefined
      ? `${stats.r}${hash}${flags}`.slice(-EMAIL_RING_SIZE * ENTRY)
      : `${stats.r.slice(0, known.at + 8)}${flags}${stats.r.slice(known.at + ENTRY)}`;
  profile.e = stats;
  return (flags & OPENED) !== 0 && (before & OPENED) === 0;
}

/**
 * The email engagement of one customer who received both profiles' sends: sends opened and clicked summed; the
 * ring holds `first`'s sends then `last`'s, the last {@link EMAIL_RING_SIZE} kept. A send whose delivery one profile
 * saw and whose open the other saw counts in both rings (and twice in `uo`).
 */
export function mergeEmailStats(
  first: EmailStats | undefined,
  last: EmailStats | undefined,
): EmailStats | undefined {
  if (first === undefined || last === undefined) return last ?? first;
  return {
    uo: first.uo + last.uo,
    uc: first.uc + last.uc,
    r: `${first.r}${last.r}`.slice(-EMAIL_RING_SIZE * ENTRY),
  };
}

/** The customer's email engagement: counts, last times, all-time and recent open and click rates. */
export function emailEngagement(profile: Profile): EmailEngagement {
  const count = (code: "ed" | "eo" | "ec" | "eb" | "ep") => profile.k[code]?.n ?? 0;
  const delivered = count("ed");
  let recent = 0;
  let opened = 0;
  let clicked = 0;
  for (const { flags } of sends(profile.e?.r ?? "")) {
    recent++;
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
    recentSends: recent,
    recentOpenRate: rate(opened, recent),
    recentClickRate: rate(clicked, recent),
  };
}

/** How many of a customer's most recent sends were opened and clicked. */
export interface RecentSends {
  /** Sends looked at: the last `lastSends` of the ring, or fewer when the ring holds fewer. */
  readonly sends: number;
  /** Of those, sends opened at least once (a click counts as an open). */
  readonly opened: number;
  /** Of those, sends clicked at least once. */
  readonly clicked: number;
}

/** Opens and clicks over the customer's last `lastSends` sends (at most {@link EMAIL_RING_SIZE} are kept). */
export function recentSends(profile: Profile, lastSends: number): RecentSends {
  const ring = profile.e?.r ?? "";
  const kept = Math.floor(ring.length / ENTRY);
  const from = Math.max(0, kept - Math.max(0, lastSends)) * ENTRY;
  let sent = 0;
  let opened = 0;
  let clicked = 0;
  for (const { flags } of sends(ring.slice(from))) {
    sent++;
    if (flags & OPENED) opened++;
    if (flags & CLICKED) clicked++;
  }
  return { sends: sent, opened, clicked };
}

/** One send of the recent ring, oldest first: whether it was opened, and clicked. */
export interface RecentSend {
  readonly opened: boolean;
  readonly clicked: boolean;
}

/** The customer's recent sends (at most {@link EMAIL_RING_SIZE}), oldest first, with their open and click flags. */
export function recentSendFlags(profile: Profile): RecentSend[] {
  return [...sends(profile.e?.r ?? "")].map(({ flags }) => ({
    opened: (flags & OPENED) !== 0,
    clicked: (flags & CLICKED) !== 0,
  }));
}
