/**
 * How an SMS body is encoded and into how many parts it is split (3GPP TS 23.038 / 23.040): GSM-7 when every
 * character is in the GSM 7-bit default alphabet or its extension table (an extension character takes two
 * septets: the escape and itself), else UCS-2 (UTF-16 code units). One part holds 160 septets (GSM-7) or 70
 * code units (UCS-2); a concatenated message's parts hold 153 and 67 (the rest is the user data header). An
 * escape pair or a surrogate pair is never split across parts, so a part may hold one unit less.
 */

/** The GSM 7-bit default alphabet (one septet each). */
const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** The GSM 7-bit default extension table (two septets each: escape + character). */
const GSM7_EXTENSION = "\f^{}\\[~]|€";

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

/** Septets or code units a single-part message holds, by encoding. */
export const SINGLE_PART = { "GSM-7": 160, "UCS-2": 70 } as const;
/** Septets or code units each part of a concatenated message holds, by encoding. */
export const MULTI_PART = { "GSM-7": 153, "UCS-2": 67 } as const;

/** An SMS encoding. */
export type SmsEncoding = keyof typeof SINGLE_PART;

/** How a body goes out. */
export interface SmsSegments {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole body. */
  readonly units: number;
  /** Parts the body is sent in (billed per part); 0 for an empty body. */
  readonly segments: number;
  /** For UCS-2: the first characters that are not GSM-7 (at most 5), the reason it is UCS-2. */
  readonly nonGsm: readonly string[];
}

/** Whether `char` (one code point) is in the GSM-7 alphabet, and how many septets it takes (1, 2; 0: not GSM-7). */
export function gsm7Septets(char: string): 0 | 1 | 2 {
  if (BASIC.has(char)) return 1;
  if (EXTENSION.has(char)) return 2;
  return 0;
}

/** Parts needed for characters of the given sizes, packed greedily, never splitting one across two parts. */
function partsOf(sizes: readonly number[], single: number, multi: number): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      parts++;
      used = 0;
    }
    used += size;
  }
  return parts;
}

/** The encoding, size and part count of an SMS body. */
export function smsSegments(body: string): SmsSegments {
  const chars = Array.from(body);
  const nonGsm = chars.filter((char) => gsm7Septets(char) === 0);
  if (nonGsm.length === 0) {
    const sizes: number[] = chars.map((char) => gsm7Septets(char));
    const units = sizes.reduce((sum, size) => sum + size, 0);
    return {
      encoding: "GSM-7",
      units,
      segments: partsOf(sizes, SINGLE_PART["GSM-7"], MULTI_PART["GSM-7"]),
      nonGsm: [],
    };
  }
  const sizes = chars.map((char) => char.length);
  return {
    encoding: "UCS-2",
    units: body.length,
    segments: partsOf(sizes, SINGLE_PART["UCS-2"], MULTI_PART["UCS-2"]),
    nonGsm: [...new Set(nonGsm)].slice(0, 5),
  };
}

/** What a template's body is allowed: at most this many parts unless the template says otherwise. */
export const DEFAULT_MAX_SEGMENTS = 2;
