/** The preview campaign every preview (samples, the console's) is rendered for. */
export const PREVIEW_CAMPAIGN = { id: "preview", name: "Preview" } as const;
