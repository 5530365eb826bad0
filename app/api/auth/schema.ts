import { z } from 'zod';

/** Body of POST /api/auth/login (a form post or JSON). */
export const loginBody = z.object({
  token: z.string().trim().max(4096).default(''),
  next: z.string().max(4096).optional(),
});
