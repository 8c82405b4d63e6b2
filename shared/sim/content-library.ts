import type { ContentItem } from "../domain/catalog/index.js";
import { CATEGORIES, type Category } from "./catalog.js";

/** The languages of the demo content library: English (the default, no `locale`), French and German. */
export const DEMO_CONTENT_LANGUAGES = ["en", "fr", "de"] as const;
type Language = (typeof DEMO_CONTENT_LANGUAGES)[number];

/** Category names as the copy uses them, per language. */
const NAMES: Record<Category, Record<Language, string>> = {
  electronics: { en: "electronics", fr: "l'électronique", de: "Elektronik" },
  books: { en: "books", fr: "les livres", de: "Bücher" },
  home: { en: "the home", fr: "la maison", de: "das Zuhause" },
  garden: { en: "the garden", fr: "le jardin", de: "den Garten" },
  toys: { en: "toys", fr: "les jouets", de: "Spielzeug" },
  beauty: { en: "beauty", fr: "la beauté", de: "Schönheit" },
  sports: { en: "sports", fr: "le sport", de: "Sport" },
  fashion: { en: "fashion", fr: "la mode", de: "Mode" },
  grocery: { en: "the pantry", fr: "l'épicerie", de: "die Speisekammer" },
  pets: { en: "pets", fr: "les animaux", de: "Haustiere" },
};

/** One piece per kind, per language: title and summary around the category name. */
const PIECES: readonly {
  readonly kind: ContentItem["kind"];
  readonly slug: string;
  readonly ageDays: number;
  readonly copy: Record<Language, (name: string) => { title: string; summary: string }>;
}[] = [
  {
    kind: "article",
    slug: "season",
    ageDays: 3,
    copy: {
      en: (n) => ({
        title: `What is new for ${n} this season`,
        summary: `Our editors' round-up of the season's best for ${n}.`,
      }),
      fr: (n) => ({
        title: `Les nouveautés de la saison pour ${n}`,
        summary: `La sélection de nos rédacteurs pour ${n} cette saison.`,
      }),
      de: (n) => ({
        title: `Neu in dieser Saison: ${n}`,
        summary: `Die Auswahl unserer Redaktion für ${n} in dieser Saison.`,
      }),
    },
  },
  {
    kind: "tip",
    slug: "care",
    ageDays: 12,
    copy: {
      en: (n) => ({
        title: `Three quick tips for ${n}`,
        summary: `Small habits that make the things you love for ${n} last longer.`,
      }),
      fr: (n) => ({
        title: `Trois astuces rapides pour ${n}`,
        summary: `De petites habitudes pour que vos achats pour ${n} durent plus longtemps.`,
      }),
      de: (n) => ({
        title: `Drei schnelle Tipps für ${n}`,
        summary: `Kleine Gewohnheiten, damit Ihre Lieblingsstücke für ${n} länger halten.`,
      }),
    },
  },
  {
    kind: "guide",
    slug: "guide",
    ageDays: 40,
    copy: {
      en: (n) => ({
        title: `The beginner's guide to ${n}`,
        summary: `Everything to know before you choose, step by step.`,
      }),
      fr: (n) => ({
        title: `Le guide du débutant pour ${n}`,
        summary: `Tout ce qu'il faut savoir avant de choisir, pas à pas.`,
      }),
      de: (n) => ({
        title: `Der Einsteigerleitfaden für ${n}`,
        summary: `Alles, was Sie vor der Wahl wissen sollten, Schritt für Schritt.`,
      }),
    },
  },
];

const DAY_MS = 86_400_000;

/**
 * The demo content library the local stack seeds: for each of the simulator's categories an article, a tip and
 * a guide, each in English (no `locale`: the default) and translated into French (`<id>.fr`) and German
 * (`<id>.de`), tagged with the category (the simulator's category names, so interests match) and the kind.
 * Published `ageDays` before `now`, so newness differs by kind. Deterministic for a given `now`.
 */
export function demoContentLibrary(now: number, shopUrl = "https://example.com"): ContentItem[] {
  const base = shopUrl.replace(/\/+$/, "");
  const items: ContentItem[] = [];
  for (const category of CATEGORIES) {
    for (const piece of PIECES) {
      const id = `${category}-${piece.slug}`;
      for (const language of DEMO_CONTENT_LANGUAGES) {
        const { title, summary } = piece.copy[language](NAMES[category][language]);
        const english = language === "en";
        items.push({
          id: english ? id : `${id}.${language}`,
          kind: piece.kind,
          title: title.charAt(0).toUpperCase() + title.slice(1),
          summary,
          url: `${base}/${english ? "" : `${language}/`}journal/${id}`,
          tags: [category, piece.kind],
          ...(english ? {} : { locale: language }),
          publishedAt: now - piece.ageDays * DAY_MS,
        });
      }
    }
  }
  return items;
}
