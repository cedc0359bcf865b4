import { z } from 'zod';
import { Metadata } from './job';
import { NotifyTargets } from './notify';

/** `POST /v1/jobs` with a JSON body. */
export const SubmitJobBody = z
  .object({
    type: z.string().min(1).max(64),
    input: z.unknown().optional(),
    notify: NotifyTargets.optional(),
    metadata: Metadata.optional(),
    priority: z.number().int().min(0).max(1000).optional(),
    run_at: z
      .string()
      // abort: a value that is no date at all gets that one error, not the range checks' too.
      .datetime({ offset: true, abort: true, message: 'run_at must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T09:00:00Z' })
      .refine((v) => Date.parse(v) < Date.now() + 366 * 86_400_000, { message: 'run_at may be at most a year ahead' })
      // Year 0000 parses but PostgreSQL rejects it (the tracker answered 503); a past run_at means now.
      .refine((v) => Date.parse(v) >= 0, { message: 'run_at must be after 1970' })
      .optional(),
    max_attempts: z.number().int().min(1).max(25).optional(),
    timeout_s: z.number().int().min(1).max(3600).optional(),
  })
  .strict();
export type SubmitJobBody = z.infer<typeof SubmitJobBody>;

/** The public JSON of a job (`GET /v1/jobs/{id}`, the 202 body). */
export interface JobView {
  id: string;
  type: string;
  status: string;
  progress: number;
  attempts: number;
  max_attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: { code: string; message: string } | null;
  result_url: string | null;
  metadata: Record<string, unknown> | null;
  priority: number;
  run_at: string | null;
  purged: boolean;
  links: { self: string; result: string; events: string };
}

/** `GET /v1/jobs`: newest first; pass `next_cursor` back as `cursor` for the next page. */
export interface JobListView {
  data: JobView[];
  next_cursor: string | null;
}

/** RFC 9457 problem details, with jobdesk's stable `code`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}
