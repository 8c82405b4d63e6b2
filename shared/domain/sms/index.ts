export { maskPhone, toE164 } from "./e164.js";
export { type KeywordAction, keywordOf, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS } from "./sms-keywords.js";
export {
  DEFAULT_MAX_SEGMENTS,
  gsm7Septets,
  MULTI_PART,
  SINGLE_PART,
  type SmsEncoding,
  type SmsSegments,
  smsSegments,
} from "./sms-segments.js";
