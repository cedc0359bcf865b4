import { z } from 'zod';

/** Who to tell when a job ends. */
export const NotifyTargets = z
  .object({
    webhook: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    email: z.string().email().max(320).optional(),
  })
  .strict();
export type NotifyTargets = z.infer<typeof NotifyTargets>;

export function hasTargets(n: NotifyTargets | null | undefined): n is NotifyTargets {
  return !!n && (!!n.webhook || !!n.email);
}
