/**
 * Age from the `birthday` trait, on UTC calendar dates: a customer turns N at 00:00 UTC on their birthday (a
 * 29 February birthday is celebrated on 1 March in other years). Time zones are not applied: someone in
 * Tokyo turns N nine hours after their local midnight.
 *
 * @module
 */

/** A birthday split into numbers, or undefined if it is not a real `YYYY-MM-DD` date. */
export function parseBirthday(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return { year, month, day };
}

/** 00:00 UTC of the day the customer turns `years` (epoch ms). */
export function anniversaryAt(birth: { year: number; month: number; day: number }, years: number): number {
  // Date.UTC rolls 29 February over to 1 March in years that have no 29 February.
  return Date.UTC(birth.year + years, birth.month - 1, birth.day);
}

/** Whole years since `birthday` at `now`, or undefined for an unreadable birthday or one after `now`. */
export function ageAt(birthday: string, now: number): number | undefined {
  const birth = parseBirthday(birthday);
  if (birth === undefined) return undefined;
  let years = new Date(now).getUTCFullYear() - birth.year;
  if (anniversaryAt(birth, years) > now) years--;
  return years < 0 ? undefined : years;
}
