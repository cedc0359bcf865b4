import { api, ApiError, Job, STATUSES, Status } from './api';
import { ago, announce, h, replace, s } from './dom';

const POLL_MS = 5000;
const HOUR_MS = 3_600_000;
const BUCKETS = 12; // 5-minute buckets

export function statusBadge(status: string): HTMLElement {
  return h('span', { className: `badge s-${status}` }, status);
}

/** The home page: submit a resume, counts and charts, and the searchable job list. */
export function homeView(root: HTMLElement): () => void {
  document.title = 'Jobs · jobdesk';
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // ---- submit ---------------------------------------------------------------------------------
  const fileInput = h('input', { id: 'resume-file', name: 'file', type: 'file', accept: '.pdf,.docx,.doc,.txt,.md,.rtf,.odt,.html,.htm,.png,.jpg,.jpeg,application/pdf,text/plain,text/markdown,text/html,image/png,image/jpeg', 'aria-describedby': 'resume-help' });
  const metaInput = h('input', { id: 'submit-metadata', name: 'metadata', type: 'text', placeholder: 'team=hiring', 'aria-describedby': 'submit-metadata-help', autocomplete: 'off' });
  const submitError = h('p', { className: 'error', role: 'alert' });
  const drop = h(
    'label',
    { className: 'drop', for: 'resume-file' },
    h('span', { className: 'drop-title' }, 'Drop a resume here, or choose a file'),
    h('span', { id: 'resume-help', className: 'hint' }, 'PDF (also scanned), DOCX, DOC, ODT, RTF, HTML, TXT, Markdown, PNG or JPEG. It is parsed at once.'),
  );
  const submitCard = h(
    'section',
    { className: 'card submit', 'aria-labelledby': 'submit-title' },
    h('h2', { id: 'submit-title' }, 'Parse a resume'),
    drop,
    fileInput,
    h('label', { for: 'submit-metadata' }, 'Metadata (optional)'),
    metaInput,
    h('p', { id: 'submit-metadata-help', className: 'hint' }, 'key=value pairs, comma separated; filter the list by them later.'),
    submitError,
  );
  const submit = async (file: File) => {
    submitError.textContent = '';
    let metadata = '';
    if (metaInput.value.trim()) {
      // Split at the first '=' only: a value may hold one (the API takes any string).
      const pairs = metaInput.value.split(',').map((p) => {
        const at = p.indexOf('=');
        return at < 0 ? [p.trim()] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
      });
      if (pairs.some((p) => p.length !== 2 || !p[0])) {
        submitError.textContent = 'Metadata must look like key=value, other=value.';
        // The file is not sent: clear the picker so choosing the same file again fires "change".
        fileInput.value = '';
        return;
      }
      metadata = JSON.stringify(Object.fromEntries(pairs));
    }
    drop.classList.add('busy');
    try {
      const job = await api.submitFile(file, { type: 'resume.parse', metadata });
      announce(`Submitted ${file.name}: job ${job.id} is ${job.status}`);
      location.hash = `#/jobs/${job.id}`;
    } catch (e) {
      submitError.textContent = `Could not submit ${file.name}: ${(e as Error).message}`;
    } finally {
      drop.classList.remove('busy');
      fileInput.value = '';
    }
  };
  fileInput.addEventListener('change', () => fileInput.files?.[0] && void submit(fileInput.files[0]));
  for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, (e) => (e.preventDefault(), drop.classList.add('over')));
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = (e as DragEvent).dataTransfer?.files?.[0];
    if (f) void submit(f);
  });

  // ---- counts and charts ----------------------------------------------------------------------
  const counts = h('dl', { className: 'counts', 'aria-label': 'Jobs per status' });
  const queues = h('div', { className: 'queues' });
  const charts = h('div', { className: 'charts' });
  const overview = h(
    'section',
    { className: 'card overview', 'aria-labelledby': 'overview-title' },
    h('h2', { id: 'overview-title' }, 'Overview'),
    counts,
    h('h3', {}, 'Per queue, last hour'),
    queues,
    charts,
  );

  // ---- list -----------------------------------------------------------------------------------
  const f = {
    q: h('input', { id: 'f-q', type: 'search', placeholder: 'id, type, file, metadata…', autocomplete: 'off' }),
    status: h('select', { id: 'f-status' }, h('option', { value: '' }, 'any'), STATUSES.map((st) => h('option', { value: st }, st))),
    type: h('select', { id: 'f-type' }, h('option', { value: '' }, 'any'), ['resume.parse', 'email.send', 'sms.send', 'noop'].map((t) => h('option', { value: t }, t))),
    after: h('input', { id: 'f-after', type: 'datetime-local' }),
    before: h('input', { id: 'f-before', type: 'datetime-local' }),
    meta: h('input', { id: 'f-meta', type: 'text', placeholder: 'key=value', autocomplete: 'off' }),
  };
  const field = (id: string, label: string, el: HTMLElement) => h('div', { className: 'field' }, h('label', { for: id }, label), el);
  const listError = h('p', { className: 'error', role: 'alert' });
  const filters = h(
    'form',
    { className: 'filters', role: 'search', 'aria-label': 'Filter jobs' },
    field('f-q', 'Search', f.q),
    field('f-status', 'Status', f.status),
    field('f-type', 'Type', f.type),
    field('f-after', 'Created after', f.after),
    field('f-before', 'Created before', f.before),
    field('f-meta', 'Metadata', f.meta),
    h('div', { className: 'field buttons' }, h('button', { type: 'submit' }, 'Apply'), h('button', { type: 'reset', className: 'ghost' }, 'Clear')),
  );
  const tbody = h('tbody');
  const summary = h('p', { className: 'hint', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', className: 'ghost', hidden: true }, 'Load more');
  const list = h(
    'section',
    { className: 'card list', 'aria-labelledby': 'list-title' },
    h('h2', { id: 'list-title' }, 'Jobs'),
    filters,
    listError,
    h(
      'div',
      { className: 'table-wrap' },
      h(
        'table',
        { className: 'jobs' },
        h('caption', { className: 'sr-only' }, 'Jobs, newest first'),
        h('thead', {}, h('tr', {}, ['Job', 'Type', 'Status', 'Progress', 'Created', 'Metadata'].map((t) => h('th', { scope: 'col' }, t)))),
        tbody,
      ),
    ),
    summary,
    more,
  );

  replace(root, h('h1', { className: 'sr-only' }, 'Jobs'), h('div', { className: 'grid-top' }, submitCard, overview), list);

  let cursor: string | null = null;
  let shown: Job[] = [];
  const params = (): URLSearchParams | string => {
    const p = new URLSearchParams({ limit: '50' });
    if (f.status.value) p.set('status', f.status.value);
    if (f.type.value) p.set('type', f.type.value);
    if (f.after.value) p.set('created_after', new Date(f.after.value).toISOString());
    if (f.before.value) p.set('created_before', new Date(f.before.value).toISOString());
    const meta = f.meta.value.trim();
    if (meta) {
      const m = /^([^=\s]+)\s*=\s*(.*)$/.exec(meta);
      if (!m) return 'Metadata filter must look like key=value.';
      p.set(`metadata.${m[1]}`, m[2]);
    }
    return p;
  };
  const matches = (j: Job): boolean => {
    const q = f.q.value.trim().toLowerCase();
    if (!q) return true;
    return [j.id, j.type, j.status, j.error?.code ?? '', JSON.stringify(j.metadata ?? {})].some((x) => x.toLowerCase().includes(q));
  };
  const row = (j: Job) =>
    h(
      'tr',
      { 'data-id': j.id, 'data-status': j.status },
      h('td', { 'data-label': 'Job' }, h('a', { href: `#/jobs/${j.id}`, className: 'mono', 'aria-label': `Job ${j.id}` }, j.id.slice(0, 8) + '…' + j.id.slice(-4))),
      h('td', { 'data-label': 'Type' }, j.type),
      h('td', { 'data-label': 'Status' }, statusBadge(j.status)),
      h('td', { 'data-label': 'Progress' }, h('progress', { max: 100, value: j.progress, 'aria-label': `Progress ${j.progress}%` }), ` ${j.progress}%`),
      h('td', { 'data-label': 'Created', title: j.created_at }, ago(j.created_at)),
      h('td', { 'data-label': 'Metadata', className: 'meta' }, j.metadata ? Object.entries(j.metadata).map(([k, v]) => h('span', { className: 'chip' }, `${k}=${String(v)}`)) : '—'),
    );
  const render = () => {
    const visible = shown.filter(matches);
    replace(tbody, visible.length ? visible.map(row) : h('tr', {}, h('td', { colspan: 6, className: 'empty' }, 'No jobs match.')));
    summary.textContent = `${visible.length} job${visible.length === 1 ? '' : 's'} shown${cursor ? '; more on the server' : ''}.`;
    more.hidden = !cursor;
  };
  const load = async (append = false) => {
    const p = params();
    if (typeof p === 'string') {
      listError.textContent = p;
      return;
    }
    if (append && cursor) p.set('cursor', cursor);
    try {
      const page = await api.list(p);
      listError.textContent = '';
      shown = append ? [...shown, ...page.data] : page.data;
      cursor = page.next_cursor;
      render();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) listError.textContent = `Could not load jobs: ${(e as Error).message}`;
    }
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  filters.addEventListener('reset', () => setTimeout(() => void load(), 0));
  f.q.addEventListener('input', render);
  more.addEventListener('click', () => void load(true));

  const refreshOverview = async () => {
    // Counts per status (up to 100 each, shown as 100+), and the last hour for queues and charts.
    const results = await Promise.all(STATUSES.map((st) => api.list(new URLSearchParams({ status: st, limit: '100' })).catch(() => null)));
    replace(
      counts,
      STATUSES.map((st, i) => {
        const r = results[i];
        const n = r ? `${r.data.length}${r.next_cursor ? '+' : ''}` : '?';
        return h('div', { className: `count s-${st}`, 'data-status': st }, h('dt', {}, st), h('dd', {}, n));
      }),
    );
    const since = Date.now() - HOUR_MS;
    const hour: Job[] = [];
    let c: string | null = null;
    for (let page = 0; page < 5; page++) {
      const p = new URLSearchParams({ limit: '100', created_after: new Date(since).toISOString() });
      if (c) p.set('cursor', c);
      const r = await api.list(p).catch(() => null);
      if (!r) break;
      hour.push(...r.data);
      c = r.next_cursor;
      if (!c) break;
    }
    const byType = new Map<string, Record<Status, number>>();
    for (const j of hour) {
      const t = byType.get(j.type) ?? { queued: 0, processing: 0, completed: 0, failed: 0, canceled: 0 };
      t[j.status]++;
      byType.set(j.type, t);
    }
    replace(
      queues,
      byType.size
        ? h('div', { className: 'table-wrap' }, h(
            'table',
            { className: 'mini' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Queue'), STATUSES.map((st) => h('th', { scope: 'col' }, st)))),
            h('tbody', {}, [...byType].map(([t, n]) => h('tr', {}, h('th', { scope: 'row' }, t), STATUSES.map((st) => h('td', {}, n[st]))))),
          ))
        : h('p', { className: 'hint' }, 'No jobs in the last hour.'),
    );
    const done = new Array<number>(BUCKETS).fill(0);
    const failed = new Array<number>(BUCKETS).fill(0);
    for (const j of hour) {
      if (!j.finished_at) continue;
      const at = Date.parse(j.finished_at);
      const b = Math.floor((at - since) / (HOUR_MS / BUCKETS));
      if (b < 0 || b >= BUCKETS) continue;
      if (j.status === 'completed') done[b]++;
      else if (j.status === 'failed') failed[b]++;
    }
    replace(charts, barChart('Completed per 5 minutes, last hour', done, 'bar-ok'), barChart('Failed per 5 minutes, last hour', failed, 'bar-fail'));
  };

  const tick = async () => {
    if (stopped) return;
    await Promise.all([refreshOverview().catch(() => undefined), shown.length <= 50 ? load().catch(() => undefined) : undefined]);
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** A labelled SVG bar chart, with the numbers also in a visually hidden list. */
function barChart(title: string, values: number[], cls: string): HTMLElement {
  const W = 240;
  const H = 80;
  const max = Math.max(1, ...values);
  const bw = W / values.length;
  const total = values.reduce((a, b) => a + b, 0);
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H + 14}`, role: 'img', 'aria-label': `${title}: ${total} in total`, className: 'chart' },
    s('line', { x1: 0, y1: H, x2: W, y2: H, class: 'axis' }),
    values.map((v, i) => {
      const bh = (v / max) * (H - 4);
      return s('rect', { x: i * bw + 2, y: H - bh, width: bw - 4, height: bh, class: cls }, s('title', {}, `${v} at −${(values.length - i) * 5} min`));
    }),
    s('text', { x: 0, y: H + 12, class: 'tick' }, '−60 min'),
    s('text', { x: W, y: H + 12, class: 'tick', 'text-anchor': 'end' }, 'now'),
  );
  svg.setAttribute('class', 'chart');
  return h('figure', { className: 'chart-box' }, h('figcaption', {}, title, h('span', { className: 'total' }, ` · ${total}`)), svg);
}
