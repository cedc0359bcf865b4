import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NatsConnection } from 'nats';
import { isTerminal, JobStatusChanged, Subjects } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { NATS_CONNECTION, SUBJECTS } from '@jobdesk/messaging';
import { describeError } from '@jobdesk/observability';
import { ApiKeyGuard, AuthedRequest } from '../auth/api-key.guard';
import { toProblem } from '../problems/api-problem';
import { fromRpcFailure } from '../problems/problem-details.filter';
import { JobsService } from './jobs.service';
import { toJobView } from './job-view';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/jobs/{id}/events` as Server-Sent Events. Each status change has its transition's
 * sequence number as the event id, so a client that reconnects with Last-Event-ID gets exactly
 * what it missed from the job's history before the live stream continues. Progress events carry
 * no id (missing one is harmless). The stream ends after a terminal status, or with an
 * `event: error` (problem details) once its API key stops working.
 */
@Injectable()
export class JobEventsService {
  private readonly log = new Logger('job-events');

  constructor(
    private readonly guard: ApiKeyGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {}

  async stream(tenant: string, id: string, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const job = await this.jobs.get(tenant, id); // 404 before any stream starts
    // Subscribe before reading history, so nothing falls between the two.
    const sub = this.nc.subscribe(this.s.status(tenant, job.id));
    // Last-Event-ID (or ?last_event_id=) resumes after that event; 0 replays the whole history.
    const raw0 = req.headers['last-event-id'] ?? (req.query as Record<string, string>)?.last_event_id;
    const lastEventId = raw0 !== undefined && /^\d{1,15}$/.test(String(raw0)) ? Number(raw0) : null;
    const history = await this.jobs.transitions(tenant, job.id, lastEventId ?? 0);

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(req.id),
    });
    const send = (event: string, data: unknown, eventId?: number) => {
      raw.write(`${eventId !== undefined ? `id: ${eventId}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    raw.write('retry: 2000\n\n');

    // History was read after subscribing, so it is at least as new as the snapshot: its last
    // transition is the current status, and the live stream continues right after it.
    const latest = history.at(-1);
    let lastSeq: number;
    if (lastEventId !== null) {
      for (const t of history) send('status', { id: job.id, status: t.to, attempts: t.attempt, at: t.at }, t.seq);
      lastSeq = Math.max(latest?.seq ?? 0, lastEventId);
    } else {
      send('status', { ...toJobView(job), status: latest?.to ?? job.status }, latest?.seq);
      lastSeq = latest?.seq ?? 0;
    }

    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stopAuthCheck = this.recheckAuth(req, (problem) => {
      send('error', problem);
      finish();
    });
    const finish = () => {
      clearInterval(heartbeat);
      stopAuthCheck();
      sub.unsubscribe();
      if (!raw.writableEnded) raw.end();
    };
    req.raw.on('close', finish);
    if (isTerminal((latest?.to ?? job.status) as never)) return finish();

    for await (const m of sub) {
      const change = m.json<JobStatusChanged>();
      if (change.seq === null) {
        send('progress', { id: job.id, status: change.status, progress: change.progress, attempts: change.attempts, at: change.at });
        continue;
      }
      if (change.seq <= lastSeq) continue;
      lastSeq = change.seq;
      send('status', { id: job.id, status: change.status, progress: change.progress, attempts: change.attempts, at: change.at }, change.seq);
      if (isTerminal(change.status)) break;
    }
    finish();
  }

  /**
   * Checks the stream's API key again, through the guard and its cache, whenever the guard's
   * answer expires: a revoked key (or one that no longer acts for this tenant) ends the stream
   * within API_KEY_CACHE_MS, as plain requests stop within it. The first check comes one cache
   * period after the stream opens (the guard checked the key just before). When job-tracker
   * cannot answer (5xx), the stream stays open and the check runs again a period later.
   * Returns what stops the checks.
   */
  private recheckAuth(req: FastifyRequest, onRefused: (problem: unknown) => void): () => void {
    if (!this.config.AUTH_REQUIRED) return () => {};
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = (until: number) => {
      // Infinity: an operator key, which nothing revokes while the gateway runs.
      if (stopped || !Number.isFinite(until)) return;
      timer = setTimeout(check, Math.max(until - Date.now(), 0) + 1);
    };
    const check = () => {
      this.guard.recheck(req as AuthedRequest).then(schedule, (e: unknown) => {
        if (stopped) return;
        const { body, unexpected } = toProblem(fromRpcFailure(e), req.url.split('?')[0]);
        if (body.status >= 500) {
          if (unexpected) this.log.warn(`re-checking a stream's API key: ${describeError(e)}`);
          return schedule(Date.now() + this.config.API_KEY_CACHE_MS);
        }
        onRefused(body);
      });
    };
    schedule(Date.now() + this.config.API_KEY_CACHE_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}
