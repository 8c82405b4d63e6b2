/** Where a simulated customer lives. */
export interface Place {
  readonly city: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** IANA time zone. */
  readonly timezone: string;
  /** BCP 47 locale. */
  readonly locale: string;
  /**
   * Standard-time UTC offset in hours. The simulator uses it only to place activity in the customer's waking
   * hours, so ignoring daylight saving is harmless and keeps generation free of time-zone lookups.
   */
  readonly utcOffsetHours: number;
  /** Relative share of customers. */
  readonly weight: number;
}

/** The cities customers come from, weighted towards the shop's home market. */
export const PLACES: readonly Place[] = [
  {
    city: "New York",
    country: "US",
    timezone: "America/New_York",
    locale: "en-US",
    utcOffsetHours: -5,
    weight: 12,
  },
  {
    city: "Chicago",
    country: "US",
    timezone: "America/Chicago",
    locale: "en-US",
    utcOffsetHours: -6,
    weight: 7,
  },
  {
    city: "Denver",
    country: "US",
    timezone: "America/Denver",
    locale: "en-US",
    utcOffsetHours: -7,
    weight: 3,
  },
  {
    city: "Los Angeles",
    country: "US",
    timezone: "America/Los_Angeles",
    locale: "en-US",
    utcOffsetHours: -8,
    weight: 9,
  },
  {
    city: "Austin",
    country: "US",
    timezone: "America/Chicago",
    locale: "es-US",
    utcOffsetHours: -6,
    weight: 3,
  },
  {
    city: "Toronto",
    country: "CA",
    timezone: "America/Toronto",
    locale: "en-CA",
    utcOffsetHours: -5,
    weight: 4,
  },
  {
    city: "Montréal",
    country: "CA",
    timezone: "America/Toronto",
    locale: "fr-CA",
    utcOffsetHours: -5,
    weight: 2,
  },
  {
    city: "Mexico City",
    country: "MX",
    timezone: "America/Mexico_City",
    locale: "es-MX",
    utcOffsetHours: -6,
    weight: 3,
  },
  {
    city: "São Paulo",
    country: "BR",
    timezone: "America/Sao_Paulo",
    locale: "pt-BR",
    utcOffsetHours: -3,
    weight: 3,
  },
  { city: "London", country: "GB", timezone: "Europe/London", locale: "en-GB", utcOffsetHours: 0, weight: 8 },
  { city: "Dublin", country: "IE", timezone: "Europe/Dublin", locale: "en-IE", utcOffsetHours: 0, weight: 2 },
  { city: "Paris", country: "FR", timezone: "Europe/Paris", locale: "fr-FR", utcOffsetHours: 1, weight: 5 },
  { city: "Berlin", country: "DE", timezone: "Europe/Berlin", locale: "de-DE", utcOffsetHours: 1, weight: 5 },
  { city: "Madrid", country: "ES", timezone: "Europe/Madrid", locale: "es-ES", utcOffsetHours: 1, weight: 3 },
  {
    city: "Amsterdam",
    country: "NL",
    timezone: "Europe/Amsterdam",
    locale: "nl-NL",
    utcOffsetHours: 1,
    weight: 2,
  },
  { city: "Warsaw", country: "PL", timezone: "Europe/Warsaw", locale: "pl-PL", utcOffsetHours: 1, weight: 2 },
  {
    city: "Stockholm",
    country: "SE",
    timezone: "Europe/Stockholm",
    locale: "sv-SE",
    utcOffsetHours: 1,
    weight: 1,
  },
  {
    city: "Mumbai",
    country: "IN",
    timezone: "Asia/Kolkata",
    locale: "en-IN",
    utcOffsetHours: 5.5,
    weight: 3,
  },
  { city: "Tokyo", country: "JP", timezone: "Asia/Tokyo", locale: "ja-JP", utcOffsetHours: 9, weight: 3 },
  {
    city: "Sydney",
    country: "AU",
    timezone: "Australia/Sydney",
    locale: "en-AU",
    utcOffsetHours: 10,
    weight: 3,
  },
  {
    city: "Auckland",
    country: "NZ",
    timezone: "Pacific/Auckland",
    locale: "en-NZ",
    utcOffsetHours: 12,
    weight: 1,
  },
];
