import { vi } from "vitest";
import { z } from "zod";

/** An EMF record as Powertools Metrics prints it: the metric directive, and the values and dimensions beside it. */
export const emfSchema = z.looseObject({
  _aws: z.object({
    CloudWatchMetrics: z.array(
      z.object({
        Namespace: z.string(),
        Dimensions: z.array(z.array(z.string())),
        Metrics: z.array(z.object({ Name: z.string() })),
      }),
    ),
  }),
});

/** The EMF records `act` printed on stdout (each line one record), parsed. */
export function captureEmf(act: () => void): z.infer<typeof emfSchema>[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines.map((line) => emfSchema.parse(JSON.parse(line)));
}
