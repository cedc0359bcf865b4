import type { components, operations, paths } from './schema';

/** Types generated from the OpenAPI document (`npm run gen:client`). */
export type Job = components['schemas']['Job'];
export type JobList = components['schemas']['JobList'];
export type Problem = components['schemas']['Problem'];
export type SubmitJson = components['schemas']['SubmitJson'];
export type JobResult = components['schemas']['JobResult'];
export type ListJobsQuery = Omit<NonNullable<operations['listJobs']['parameters']['query']>, 'metadata'> & { metadata?: Record<string, string> };
export type JobStatus = Job['status'];
export type ApiPath = keyof paths;

export const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'canceled'];

/** An HTTP error from the API, with its problem+json body when there was one. */
export class JobdeskError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'JobdeskError';
  }

  get code(): string | undefined {
    return this.problem?.code;
  }
}

export interface ClientOptions {
  /** Default `JOBDESK_URL` or http://127.0.0.1:3000. */
  baseUrl?: string;
  /** Default `JOBDESK_API_KEY`. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** A thin typed wrapper over fetch for the jobdesk API. */
export class JobdeskClient {
  readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    // The service's address, not the API's: a trailing /v1 (a natural guess) would make /v1/v1/jobs.
    this.baseUrl = (opts.baseUrl ?? process.env.JOBDESK_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '').replace(/\/v1$/, '');
    this.apiKey = opts.apiKey ?? process.env.JOBDESK_API_KEY ?? undefined;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** `POST /v1/jobs` multipart: a file job such as `resume.parse`. */
  async submitFile(file: Blob | Uint8Array, filename: string, opts: { type?: 'resume.parse'; callbackUrl?: string; metadata?: Record<string, string | number | boolean | null>; priority?: number; idempotencyKey?: string } = {}): Promise<Job> {
    const form = new FormData();
    form.append('type', opts.type ?? 'resume.parse');
    if (opts.callbackUrl) form.append('callback_url', opts.callbackUrl);
    if (opts.metadata) form.append('metadata', JSON.stringify(opts.metadata));
    if (opts.priority !== undefined) form.append('priority', String(opts.priority));
    form.append('file', file instanceof Blob ? file : new Blob([file]), filename);
    return this.json<Job>('POST', '/v1/jobs', { body: form, headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {} });
  }

  /** `POST /v1/jobs` JSON: a JSON job such as `email.send`. */
  submitJson(body: SubmitJson, opts: { idempotencyKey?: string } = {}): Promise<Job> {
    return this.json<Job>('POST', '/v1/jobs', { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}) } });
  }

  get(id: string): Promise<Job> {
    return this.json<Job>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  list(query: ListJobsQuery = {}): Promise<JobList> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (k === 'metadata') for (const [mk, mv] of Object.entries(v as Record<string, string>)) q.append(`metadata.${mk}`, mv);
      else q.append(k, String(v));
    }
    const qs = q.toString();
    return this.json<JobList>('GET', `/v1/jobs${qs ? `?${qs}` : ''}`);
  }

  cancel(id: string, opts: { purge?: boolean } = {}): Promise<Job> {
    return this.json<Job>('DELETE', `/v1/jobs/${encodeURIComponent(id)}${opts.purge ? '?purge=true' : ''}`);
  }

  retry(id: string): Promise<Job> {
    return this.json<Job>('POST', `/v1/jobs/${encodeURIComponent(id)}/retry`);
  }

  result(id: string): Promise<JobResult> {
    return this.json<JobResult>('GET', `/v1/jobs/${encodeURIComponent(id)}/result`);
  }

  /** `GET /v1/jobs/{id}/events`: the Server-Sent Events, parsed, until the stream ends. */
  async *events(id: string, opts: { lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<SseEvent> {
    const res = await this.request('GET', `/v1/jobs/${encodeURIComponent(id)}/events`, { headers: { accept: 'text/event-stream', ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}) }, signal: opts.signal });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const ev: { id?: string; event: string; data: string[] } = { event: 'message', data: [] };
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'id') ev.id = value;
          else if (field === 'event') ev.event = value;
          else if (field === 'data') ev.data.push(value);
        }
        if (!ev.data.length) continue;
        const raw = ev.data.join('\n');
        let data: unknown = raw;
        try {
          data = JSON.parse(raw);
        } catch {
          /* plain text data */
        }
        yield { id: ev.id, event: ev.event, data };
      }
    }
  }

  /** Follows a job until it ends: live events, falling back to polling if the stream breaks. */
  async waitForEnd(id: string, opts: { timeoutMs?: number; onUpdate?: (status: string, progress?: number) => void } = {}): Promise<Job> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(0, deadline - Date.now()));
    try {
      for await (const ev of this.events(id, { signal: ac.signal })) {
        const d = ev.data as { status?: string; progress?: number };
        if (ev.event === 'status' && d.status) {
          opts.onUpdate?.(d.status, d.progress);
          if (TERMINAL.includes(d.status as JobStatus)) break;
        } else if (ev.event === 'progress') opts.onUpdate?.('processing', d.progress);
        // The gateway ended the stream because the key stopped working: polling would fail the same way.
        else if (ev.event === 'error') {
          const p = ev.data as Problem;
          throw new JobdeskError(p.status ?? 0, p, `${p.status} ${p.title}: ${p.detail} (${p.code})`);
        }
      }
    } catch (e) {
      if (e instanceof JobdeskError) throw e;
      /* stream dropped or timed out: poll below */
    } finally {
      clearTimeout(timer);
    }
    for (;;) {
      const job = await this.get(id);
      if (TERMINAL.includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish in time (last status: ${job.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private async json<T>(method: string, path: string, init: { body?: RequestInit['body']; headers?: Record<string, string> } = {}): Promise<T> {
    const res = await this.request(method, path, init);
    return (await res.json()) as T;
  }

  private async request(method: string, path: string, init: { body?: RequestInit['body']; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...init.headers };
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, { method, headers, body: init.body, signal: init.signal });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new JobdeskError(0, undefined, `cannot reach ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let problem: Problem | undefined;
    try {
      const body = JSON.parse(text) as Problem;
      if (body && typeof body === 'object' && typeof body.code === 'string') problem = body;
    } catch {
      /* not JSON */
    }
    const msg = problem ? `${problem.status} ${problem.title}: ${problem.detail} (${problem.code})${problem.errors?.length ? `\n${problem.errors.map((e) => `  ${e.field || '(body)'}: ${e.message}`).join('\n')}` : ''}` : `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
    throw new JobdeskError(res.status, problem, msg);
  }
}
