/** Small HTTP helpers for tests that talk to the gateway like a client would. */
export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${res.status}): ${text.slice(0, 300)}`);
  }
}

export async function submitFile(base: string, bytes: Buffer, filename: string, fields: Record<string, string> = { type: 'resume.parse' }, path = '/v1/jobs') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), filename);
  return fetch(base + path, { method: 'POST', body: form });
}

export async function submitJson(base: string, body: unknown, path = '/v1/jobs') {
  return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Polls a job until it ends (or the time is up); returns the last view. */
export async function waitForEnd(base: string, id: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await json(await fetch(`${base}/v1/jobs/${id}`));
    if (['completed', 'failed', 'canceled'].includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not end within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
