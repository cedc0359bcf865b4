import type { JobRecord, JobView } from '@jobdesk/contracts';

/** The tracker's record as clients see it: snake_case, links, no storage keys. */
export function toJobView(r: JobRecord): JobView {
  const self = `/v1/jobs/${r.id}`;
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    progress: r.progress,
    attempts: r.attempts,
    max_attempts: r.maxAttempts,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    error: r.error,
    result_url: r.status === 'completed' && !r.purged ? `${self}/result` : null,
    metadata: r.metadata,
    priority: r.priority,
    run_at: r.runAt,
    purged: r.purged,
    links: { self, result: `${self}/result`, events: `${self}/events` },
  };
}
