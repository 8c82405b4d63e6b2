/**
 * The keywords a recipient replies with to stop or restart SMS, as carriers and AWS End User Messaging SMS
 * know them: a reply that is only the keyword (any case, surrounding spaces and end punctuation ignored).
 */

/** Replies that withdraw SMS consent. */
export const OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"] as const;
/** Replies that give SMS consent back. */
export const OPT_IN_KEYWORDS = ["START", "UNSTOP"] as const;

const OUT: ReadonlySet<string> = new Set(OPT_OUT_KEYWORDS);
const IN: ReadonlySet<string> = new Set(OPT_IN_KEYWORDS);

/** What an inbound text asks for: `opt-out`, `opt-in`, or nothing (any other text). */
export type KeywordAction = "opt-out" | "opt-in" | "none";

/** The action of an inbound message body, and the keyword as read (upper case). */
export function keywordOf(body: string): { readonly action: KeywordAction; readonly keyword: string } {
  const keyword = body
    .trim()
    .replace(/[.!?]+$/u, "")
    .trim()
    .toUpperCase();
  if (OUT.has(keyword)) return { action: "opt-out", keyword };
  if (IN.has(keyword)) return { action: "opt-in", keyword };
  return { action: "none", keyword };
}
