import { Rng } from "./prng.js";

/** The shop's product categories. */
export const CATEGORIES = [
  "electronics",
  "books",
  "home",
  "garden",
  "toys",
  "beauty",
  "sports",
  "fashion",
  "grocery",
  "pets",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** A product of the synthetic shop. Prices are in USD with two decimals. */
export interface Product {
  /** Stable id, e.g. `prod-electronics-007`. */
  readonly productId: string;
  /** Stock-keeping unit, e.g. `EL-0007`. */
  readonly sku: string;
  readonly name: string;
  readonly brand: string;
  readonly category: Category;
  /** Unit price in USD, two decimals (e.g. `24.99`). */
  readonly price: number;
  readonly currency: "USD";
  /** Out-of-stock products can be viewed but not added to a cart. */
  readonly inStock: boolean;
  /** Zipf-like popularity in (0, 1]: the most popular product has 1, the product at rank r about 1/r. */
  readonly popularity: number;
  /** Product page, `https://example.com/products/<slug>`. */
  readonly url: string;
  /** Product image, `https://example.com/images/products/<productId>.jpg`. */
  readonly imageUrl: string;
}

/** How many products each category holds (10 categories × 20 = 200 products). */
export const PRODUCTS_PER_CATEGORY = 20;

interface CategorySpec {
  /** Median price in USD; prices are log-normal around it. */
  readonly medianPrice: number;
  readonly sigma: number;
  readonly brands: readonly string[];
  readonly nouns: readonly string[];
}

const CATEGORY_SPECS: Readonly<Record<Category, CategorySpec>> = {
  electronics: {
    medianPrice: 110,
    sigma: 0.8,
    brands: ["Voltra", "Nimbus", "Arcwave", "Pixelon", "Sonique"],
    nouns: [
      "Wireless Earbuds",
      "Smart Speaker",
      "Phone Charger",
      "USB-C Hub",
      "Mechanical Keyboard",
      "Action Camera",
      "Smartwatch",
      "Headphones",
      "Portable SSD",
      "Webcam",
    ],
  },
  books: {
    medianPrice: 16,
    sigma: 0.4,
    brands: ["Inkwell Press", "Harbor Books", "Lantern House", "Northwind", "Paper Crane"],
    nouns: [
      "Cookbook",
      "Mystery Novel",
      "Field Guide",
      "Poetry Collection",
      "Travel Guide",
      "Biography",
      "Science Fiction Novel",
      "Picture Book",
      "History of Rome",
      "Graphic Novel",
    ],
  },
  home: {
    medianPrice: 40,
    sigma: 0.7,
    brands: ["Hearthly", "Casa Nova", "Loom & Line", "Oakhaven", "Brightnest"],
    nouns: [
      "Throw Blanket",
      "Ceramic Vase",
      "Scented Candle",
      "Towel Set",
      "Table Lamp",
      "Cast Iron Skillet",
      "Coffee Grinder",
      "Storage Baskets",
      "Wall Clock",
      "Linen Sheets",
    ],
  },
  garden: {
    medianPrice: 30,
    sigma: 0.7,
    brands: ["GreenThumb", "Verdant", "Terra Firma", "Bloomfield", "Rootstock"],
    nouns: [
      "Pruning Shears",
      "Garden Hose",
      "Raised Planter",
      "Seed Starter Kit",
      "Watering Can",
      "Solar Path Lights",
      "Compost Bin",
      "Bird Feeder",
      "Garden Gloves",
      "Hand Trowel",
    ],
  },
  toys: {
    medianPrice: 25,
    sigma: 0.6,
    brands: ["Playful Owl", "Tinker Tots", "Brickyard", "Whimsy", "Kite & Co"],
    nouns: [
      "Building Blocks",
      "Plush Bear",
      "Jigsaw Puzzle",
      "Train Set",
      "Board Game",
      "Kite",
      "Art Kit",
      "Remote Control Car",
      "Dollhouse",
      "Science Kit",
    ],
  },
  beauty: {
    medianPrice: 22,
    sigma: 0.6,
    brands: ["Lumière", "Petal & Pine", "Glow Lab", "Aurelia", "Pure Ritual"],
    nouns: [
      "Face Serum",
      "Lip Balm",
      "Hair Oil",
      "Night Cream",
      "Sheet Masks",
      "Eyeshadow Palette",
      "Body Lotion",
      "Eau de Parfum",
      "Sunscreen SPF 50",
      "Nail Polish Set",
    ],
  },
  sports: {
    medianPrice: 45,
    sigma: 0.7,
    brands: ["Stride", "Apex Motion", "Trailhead", "Kinetic", "Summit Gear"],
    nouns: [
      "Yoga Mat",
      "Running Shoes",
      "Water Bottle",
      "Resistance Bands",
      "Cycling Helmet",
      "Dumbbell Set",
      "Tennis Racket",
      "Hiking Backpack",
      "Jump Rope",
      "Foam Roller",
    ],
  },
  fashion: {
    medianPrice: 40,
    sigma: 0.7,
    brands: ["Atelier Nord", "Thread & Co", "Maison Vey", "Denimworks", "Wool & Wander"],
    nouns: [
      "Denim Jacket",
      "Cotton T-Shirt",
      "Wool Scarf",
      "Leather Belt",
      "Sneakers",
      "Linen Shirt",
      "Rain Jacket",
      "Knit Sweater",
      "Canvas Tote",
      "Chinos",
    ],
  },
  grocery: {
    medianPrice: 8,
    sigma: 0.5,
    brands: ["Harvest Table", "Good Pantry", "Orchard Lane", "Bean & Leaf", "Salt & Stone"],
    nouns: [
      "Olive Oil",
      "Coffee Beans",
      "Green Tea",
      "Dark Chocolate",
      "Granola",
      "Wildflower Honey",
      "Pasta Sauce",
      "Sea Salt",
      "Maple Syrup",
      "Spice Set",
    ],
  },
  pets: {
    medianPrice: 20,
    sigma: 0.6,
    brands: ["Happy Paws", "Whisker Co", "Barkley", "Fetch & Friends", "Tailwag"],
    nouns: [
      "Dog Bed",
      "Cat Scratcher",
      "Chew Toy",
      "Pet Shampoo",
      "Leash",
      "Cat Litter",
      "Dog Treats",
      "Pet Bowl Set",
      "Aquarium Filter",
      "Bird Cage",
    ],
  },
};

const ADJECTIVES = [
  "Classic",
  "Deluxe",
  "Compact",
  "Eco",
  "Pro",
  "Everyday",
  "Premium",
  "Mini",
  "Ultra",
  "Vintage",
  "Essential",
  "Signature",
] as const;

const ZIPF_EXPONENT = 1.07;

/** Rounds a raw price to a shop-like price: whole dollars minus a cent (x.99), sometimes x.49. */
function shopPrice(raw: number, rng: Rng): number {
  const dollars = Math.min(4999, Math.max(2, Math.round(raw)));
  const cents = rng.chance(0.2) ? dollars * 100 - 51 : dollars * 100 - 1;
  return cents / 100;
}

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Builds the shop's catalog: 200 products over the 10 {@link CATEGORIES}, with log-normal prices per category,
 * a stock flag and Zipf-like popularity. The same seed always yields the same catalog, so templates and
 * recommendations can rebuild exactly the products the simulator sells.
 */
export function buildCatalog(seed: number): Product[] {
  const rng = Rng.derive(seed, "catalog");
  const drafts: Omit<Product, "popularity">[] = [];
  for (const category of CATEGORIES) {
    const spec = CATEGORY_SPECS[category];
    const names = new Set<string>();
    for (let i = 1; i <= PRODUCTS_PER_CATEGORY; i++) {
      let brand = rng.pick(spec.brands);
      let name = `${brand} ${rng.pick(ADJECTIVES)} ${rng.pick(spec.nouns)}`;
      while (names.has(name)) {
        brand = rng.pick(spec.brands);
        name = `${brand} ${rng.pick(ADJECTIVES)} ${rng.pick(spec.nouns)}`;
      }
      names.add(name);
      const number = String(i).padStart(3, "0");
      const productId = `prod-${category}-${number}`;
      drafts.push({
        productId,
        sku: `${category.slice(0, 2).toUpperCase()}-${number.padStart(4, "0")}`,
        name,
        brand,
        category,
        price: shopPrice(rng.logNormal(spec.medianPrice, spec.sigma), rng),
        currency: "USD",
        inStock: rng.chance(0.92),
        url: `https://example.com/products/${slugify(name)}-${number}`,
        imageUrl: `https://example.com/images/products/${productId}.jpg`,
      });
    }
  }
  // Popularity ranks are a seeded shuffle of the whole catalog, so every category has hits and long tail.
  const ranks = drafts.map((_, i) => i);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const a = ranks[i] ?? i;
    ranks[i] = ranks[j] ?? j;
    ranks[j] = a;
  }
  return drafts.map((draft, i) => ({ ...draft, popularity: 1 / ((ranks[i] ?? i) + 1) ** ZIPF_EXPONENT }));
}
