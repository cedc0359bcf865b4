import type { JobError, JobStatus, ResultRef, WorkerEvent, WorkerEventType } from '@jobdesk/contracts';

/** What the state machine needs to know about a job. */
export interface JobState {
  status: JobStatus;
  /** The attempt the status refers to; 0 before the first start. */
  attempt: number;
  progress: number;
}

/** The change an event causes; `null` means "ignore it" (stale, repeated or after the end). */
export interface JobChange {
  status: JobStatus;
  attempt: number;
  progress: number;
  error?: JobError | null;
  result?: ResultRef;
  /** A result small enough to be kept in the job's row: its exact bytes (JSON text). */
  resultBody?: string;
}

type Rule = (s: JobState, e: WorkerEvent) => JobChange | null;

/**
 * The transition table: event type × current status → change. A job only moves forward in
 * (attempt, phase) order, so repeated and out-of-order events are no-ops, and the terminal
 * statuses (completed, failed, canceled) absorb everything.
 */
const TABLE: Record<WorkerEventType, Partial<Record<JobStatus, Rule>>> = {
  'job.started': {
    queued: (s, e) => (e.data.attempt > s.attempt ? { status: 'processing', attempt: e.data.attempt, progress: 0 } : null),
    // A newer attempt started whose predecessor's failure we never heard of.
    processing: (s, e) => (e.data.attempt > s.attempt ? { status: 'processing', attempt: e.data.attempt, progress: 0 } : null),
  },
  'job.progress': {
    processing: (s, e) => {
      if (e.type !== 'job.progress' || e.data.attempt !== s.attempt || e.data.progress <= s.progress) return null;
      return { status: 'processing', attempt: s.attempt, progress: e.data.progress };
    },
  },
  'job.failed': {
    // queued at attempt n means attempt n already failed: only a later attempt may fail now.
    queued: (s, e) => (e.data.attempt > s.attempt ? failure(e) : null),
    processing: (s, e) => (e.data.attempt >= s.attempt ? failure(e) : null),
  },
  'job.completed': {
    // Handlers are idempotent, so any attempt's result is the job's result.
    queued: (s, e) => success(s, e),
    processing: (s, e) => success(s, e),
  },
};

function failure(e: WorkerEvent): JobChange | null {
  if (e.type !== 'job.failed') return null;
  return { status: e.data.willRetry ? 'queued' : 'failed', attempt: e.data.attempt, progress: 0, error: e.data.error };
}

function success(s: JobState, e: WorkerEvent): JobChange | null {
  if (e.type !== 'job.completed') return null;
  const { body, ...result } = e.data.result;
  return { status: 'completed', attempt: Math.max(s.attempt, e.data.attempt), progress: 100, error: null, result, ...(body === undefined ? {} : { resultBody: body }) };
}

export function nextState(state: JobState, event: WorkerEvent): JobChange | null {
  return TABLE[event.type][state.status]?.(state, event) ?? null;
}

/** API-driven cancel: allowed while the job has not ended. */
export function canCancel(status: JobStatus): boolean {
  return status === 'queued' || status === 'processing';
}
