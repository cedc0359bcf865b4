/** A minimal Server-Sent Events reader over fetch, for tests. */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export async function readSse(
  url: string,
  headers: Record<string, string>,
  opts: { until?: (e: SseEvent, all: SseEvent[]) => boolean; timeoutMs?: number } = {},
): Promise<{ status: number; headers: Headers; events: SseEvent[] }> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 20_000);
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const events: SseEvent[] = [];
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    return { status: res.status, headers: res.headers, events };
  }
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const e: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = line.slice(4);
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.dataLines.push(line.slice(6));
        }
        if (!e.event) continue;
        const ev: SseEvent = { id: e.id, event: e.event, data: JSON.parse(e.dataLines.join('\n')) };
        events.push(ev);
        if (opts.until?.(ev, events)) {
          ctrl.abort();
          return { status: res.status, headers: res.headers, events };
        }
      }
    }
  } catch (e) {
    if (!ctrl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, headers: res.headers, events };
}
