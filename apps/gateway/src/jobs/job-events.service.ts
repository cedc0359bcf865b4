import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NatsConnection } from 'nats';
import { isTerminal, JobStatusChanged, Subjects } from '@jobdesk/contracts';
import { NATS_CONNECTION, SUBJECTS } from '@jobdesk/messaging';
import { JobsService } from './jobs.service';
import { toJobView } from './job-view';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/jobs/{id}/events` as Server-Sent Events. Each status change has its transition's
 * sequence number as the event id, so a client that reconnects with Last-Event-ID gets exactly
 * what it missed from the job's history before the live stream continues. Progress events carry
 * no id (missing one is harmless). The stream ends after a terminal status.
 */
@Injectable()
export class JobEventsService {
  constructor(
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
    const finish = () => {
      clearInterval(heartbeat);
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
}
