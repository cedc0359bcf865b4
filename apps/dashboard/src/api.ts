// The dashboard's calls to the job API. The API key lives in sessionStorage only (gone when the
// tab closes) and travels in the Authorization header, never in a URL.

import type { DeliveryView, JobStatus, JobView, TransitionView } from '../../../libs/contracts/src';

// The API's shapes are defined once, in libs/contracts; the dashboard only narrows `status`.
export type Status = JobStatus;
export const STATUSES: Status[] = ['queued', 'processing', 'completed', 'failed', 'canceled'];
export const TERMINAL: Status[] = ['completed', 'failed', 'canceled'];
export type Job = Omit<JobView, 'status'> & { status: Status };
export interface JobList {
  data: Job[];
  next_cursor: string | null;
}
export type Transition = TransitionView;
export type Delivery = DeliveryView;

const KEY = 'jobdesk.apiKey';
export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An RFC 9457 problem (or a network failure) as an Error with the API's code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = session.get();
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: headers(init.headers as Record<string, string>) });
  } catch (e) {
    throw new ApiError(0, 'network_error', `the gateway could not be reached (${(e as Error).message})`);
  }
  if (res.ok) return res;
  let code = 'http_' + res.status;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const p = (await res.json()) as { code?: string; detail?: string; title?: string; errors?: Array<{ path?: string; message?: string }> };
    code = p.code ?? code;
    message = p.detail ?? p.title ?? message;
    if (p.errors?.length) message += ': ' + p.errors.map((e) => `${e.path ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    /* not JSON */
  }
  if (res.status === 401) onUnauthorized();
  throw new ApiError(res.status, code, message);
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await request(path, init)).json() as Promise<T>;
}

export const api = {
  list: (params: URLSearchParams) => getJson<JobList>(`/v1/jobs?${params}`),
  get: (id: string) => getJson<Job>(`/v1/jobs/${encodeURIComponent(id)}`),
  result: (id: string) => getJson<unknown>(`/v1/jobs/${encodeURIComponent(id)}/result`),
  transitions: (id: string) => getJson<{ data: Transition[] }>(`/v1/jobs/${encodeURIComponent(id)}/transitions`),
  deliveries: (id: string) => getJson<{ data: Delivery[] }>(`/v1/jobs/${encodeURIComponent(id)}/deliveries`),
  redeliver: (id: string) => getJson<{ redelivery: number }>(`/v1/jobs/${encodeURIComponent(id)}/redeliver`, { method: 'POST' }),
  cancel: (id: string, purge = false) => getJson<Job>(`/v1/jobs/${encodeURIComponent(id)}${purge ? '?purge=true' : ''}`, { method: 'DELETE' }),
  retry: (id: string) => getJson<Job>(`/v1/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  input: (id: string) => request(`/v1/jobs/${encodeURIComponent(id)}/input`),
  submitFile: (file: File, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    form.append('file', file, file.name);
    return getJson<Job>('/v1/jobs', { method: 'POST', body: form });
  },
};

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Server-Sent Events over fetch (EventSource cannot send the Authorization header). Reconnects
 * with Last-Event-ID until the stream ends after a terminal status, with an `error` event or a 4xx,
 * or `signal` aborts.
 */
export async function followEvents(id: string, onEvent: (e: SseEvent) => boolean | void, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  let retryMs = 2000;
  for (let round = 0; !signal.aborted && round < 50; round++) {
    let done = false;
    try {
      const res = await request(`/v1/jobs/${encodeURIComponent(id)}/events`, {
        signal,
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'event') ev.event = val;
            else if (field === 'data') data.push(val);
            else if (field === 'id') ev.id = val;
            else if (field === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
          }
          if (ev.id) lastId = ev.id;
          if (!data.length) continue;
          ev.data = data.join('\n');
          // The gateway ended the stream because the API key stopped working (a problem as data):
          // reconnecting with it would only be refused, so ask for a key as a 401 answer does.
          if (ev.event === 'error') {
            if ((JSON.parse(ev.data) as { status?: number }).status === 401) onUnauthorized();
            return;
          }
          if (onEvent(ev) === true) done = true;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) return;
    }
    if (done || signal.aborted) return;
    await new Promise((r) => setTimeout(r, retryMs));
  }
}
