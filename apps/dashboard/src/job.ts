import type { ResumeDocument } from '../../../libs/contracts/src';
import { api, ApiError, Delivery, followEvents, Job, TERMINAL, Transition } from './api';
import { announce, h, replace, time } from './dom';
import { statusBadge } from './home';

// The result's shape is defined once, in libs/contracts; any section may be missing.
type Resume = Partial<ResumeDocument>;

/** A job's page: the ticket with live status, actions, result, input, timeline, deliveries. */
export function jobView(root: HTMLElement, id: string): () => void {
  document.title = `Job ${id.slice(0, 8)} · jobdesk`;
  const abort = new AbortController();
  let job: Job | undefined;

  const title = h('h1', { tabindex: '-1' }, 'Job ', h('span', { className: 'mono' }, id));
  const statusEl = h('span', { id: 'job-status', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'job-progress', max: 100, value: 0, 'aria-labelledby': 'job-progress-label' });
  const progressText = h('span', { id: 'job-progress-label' }, 'Progress 0%');
  const facts = h('dl', { className: 'facts' });
  const errorBox = h('div', { className: 'error-box', role: 'alert', hidden: true });
  const actionMsg = h('p', { className: 'hint', role: 'status' });
  const actions = h('div', { className: 'actions' });
  const resultSec = h('section', { className: 'card result', 'aria-labelledby': 'result-title', hidden: true });
  const inputSec = h('section', { className: 'card input', 'aria-labelledby': 'input-title', hidden: true });
  const timeline = h('ol', { className: 'timeline' });
  const deliveries = h('div', {});

  const ticket = h(
    'section',
    { className: 'card ticket', 'aria-labelledby': 'ticket-title' },
    h('h2', { id: 'ticket-title', className: 'sr-only' }, 'Status'),
    h('div', { className: 'status-line' }, statusEl, h('div', { className: 'bar' }, progress, progressText)),
    facts,
    errorBox,
    actions,
    actionMsg,
  );
  replace(
    root,
    h('p', { className: 'crumbs' }, h('a', { href: '#/' }, '← All jobs')),
    title,
    ticket,
    h('div', { className: 'grid-result' }, resultSec, inputSec),
    h('div', { className: 'grid-two' },
      h('section', { className: 'card', 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
      h('section', { className: 'card', 'aria-labelledby': 'deliveries-title' }, h('h2', { id: 'deliveries-title' }, 'Webhook deliveries'), deliveries),
    ),
  );

  const act = (label: string, run: () => Promise<unknown>, opts: { danger?: boolean; ghost?: boolean; confirm?: string } = {}) =>
    h('button', {
      type: 'button',
      className: opts.danger ? 'danger' : opts.ghost ? 'ghost' : '',
      onclick: async (e: Event) => {
        const b = e.currentTarget as HTMLButtonElement;
        if (opts.confirm && !window.confirm(opts.confirm)) return;
        b.disabled = true;
        actionMsg.textContent = `${label}…`;
        try {
          await run();
          actionMsg.textContent = `${label}: done.`;
          announce(`${label}: done`);
          await refresh();
        } catch (err) {
          actionMsg.textContent = `${label} failed: ${(err as Error).message}`;
        } finally {
          b.disabled = false;
        }
      },
    }, label);

  const renderTicket = () => {
    if (!job) return;
    replace(statusEl, statusBadge(job.status));
    progress.value = job.progress;
    progressText.textContent = `Progress ${job.progress}%`;
    ticket.dataset.status = job.status;
    const meta = job.metadata && Object.keys(job.metadata).length ? Object.entries(job.metadata).map(([k, v]) => h('span', { className: 'chip' }, `${k}=${String(v)}`)) : '—';
    replace(
      facts,
      [
        ['Type', job.type],
        ['Attempts', `${job.attempts} of ${job.max_attempts}`],
        ['Created', time(job.created_at)],
        ['Runs at', job.run_at ? time(job.run_at) : 'now'],
        ['Started', time(job.started_at)],
        ['Finished', time(job.finished_at)],
        ['Priority', String(job.priority)],
        ['Metadata', meta],
      ].map(([k, v]) => h('div', {}, h('dt', {}, k as string), h('dd', {}, v as never))),
    );
    errorBox.hidden = !job.error;
    if (job.error) replace(errorBox, h('h3', {}, 'Error ', h('code', {}, job.error.code)), h('p', {}, job.error.message));
    const live = !TERMINAL.includes(job.status);
    replace(
      actions,
      live && act('Cancel job', () => api.cancel(id), { danger: true, confirm: 'Cancel this job?' }),
      (job.status === 'failed' || job.status === 'canceled') && act('Retry', () => api.retry(id)),
      !job.purged && act('Purge data', () => api.cancel(id, true), { danger: true, confirm: "Cancel if running, and delete this job's input and result?" }),
      act('Refresh', () => Promise.resolve(), { ghost: true }),
    );
    if (job.purged) actions.append(h('span', { className: 'hint' }, 'Input and result were purged.'));
  };

  const renderTimeline = (ts: Transition[]) => {
    replace(
      timeline,
      ts.length
        ? ts.map((t) => h('li', { className: `s-${t.to}` }, h('span', { className: 'dot', 'aria-hidden': 'true' }), h('div', {}, h('strong', {}, t.from ? `${t.from} → ${t.to}` : t.to), ` · attempt ${t.attempt}`, h('br'), time(t.at))))
        : h('li', {}, 'No transitions yet.'),
    );
  };

  const renderDeliveries = (ds: Delivery[]) => {
    const hasWebhook = ds.length > 0;
    replace(
      deliveries,
      hasWebhook
        ? h(
            'div',
            { className: 'table-wrap' },
            h(
              'table',
              { className: 'mini deliveries' },
              h('thead', {}, h('tr', {}, ['Attempt', 'Outcome', 'HTTP', 'Latency', 'At', 'URL'].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                {},
                ds.map((d) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, d.attempt),
                    h('td', {}, h('span', { className: `badge o-${d.outcome}` }, d.outcome), d.error ? h('div', { className: 'hint' }, d.error) : null),
                    h('td', {}, d.status_code ?? '—'),
                    h('td', {}, `${d.latency_ms} ms`),
                    h('td', {}, time(d.at)),
                    h('td', { className: 'url' }, d.url),
                  ),
                ),
              ),
            ),
          )
        : h('p', { className: 'hint' }, job && TERMINAL.includes(job.status) ? 'No webhook deliveries for this job.' : 'Deliveries appear once the job ends (if it has a webhook).'),
      hasWebhook && act('Redeliver webhook', () => api.redeliver(id)),
    );
  };

  let resultShown = false;
  const showResult = async () => {
    if (!job || job.status !== 'completed' || resultShown || job.purged) return;
    resultShown = true;
    try {
      const result = await api.result(id);
      const raw = h('pre', { className: 'json', tabindex: '0', 'aria-label': 'Result as JSON' }, JSON.stringify(result, null, 2));
      replace(
        resultSec,
        h('h2', { id: 'result-title' }, 'Result'),
        h('div', { className: 'result-pair' }, job.type === 'resume.parse' ? resumeCard(result as Resume) : null, h('details', { open: true, className: 'raw' }, h('summary', {}, 'Raw JSON'), raw)),
      );
      resultSec.hidden = false;
    } catch (e) {
      resultShown = false;
      replace(resultSec, h('h2', { id: 'result-title' }, 'Result'), h('p', { className: 'error' }, (e as Error).message));
      resultSec.hidden = false;
    }
  };

  let inputShown = false;
  const showInputPanel = () => {
    if (!job || job.type !== 'resume.parse' || inputShown) return;
    inputShown = true;
    const viewer = h('div', { className: 'viewer' });
    const btn = h('button', { type: 'button', className: 'ghost' }, 'Show original file');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const res = await api.input(id);
        const type = res.headers.get('content-type') ?? 'application/octet-stream';
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        abort.signal.addEventListener('abort', () => URL.revokeObjectURL(url));
        const ext = /filename="[^"]*\.(\w+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'bin';
        const download = h('a', { href: url, download: `${id}.${ext}`, className: 'button ghost' }, `Download (${ext.toUpperCase()}, ${Math.ceil(blob.size / 1024)} KB)`);
        if (type.startsWith('text/')) replace(viewer, h('pre', { className: 'original', tabindex: '0', 'aria-label': 'Original file' }, await blob.text()), download);
        else if (type === 'application/pdf') replace(viewer, h('iframe', { src: url, title: 'Original file (PDF)', className: 'original' }), download);
        else replace(viewer, h('p', { className: 'hint' }, 'This format cannot be shown here.'), download);
        btn.hidden = true;
      } catch (e) {
        replace(viewer, h('p', { className: 'error' }, (e as Error).message));
        btn.disabled = false;
      }
    });
    replace(inputSec, h('h2', { id: 'input-title' }, 'Original file'), btn, viewer);
    inputSec.hidden = false;
  };

  const refresh = async () => {
    try {
      job = await api.get(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) replace(ticket, h('p', { className: 'error', role: 'alert' }, 'No such job (or it belongs to another tenant).'));
      else actionMsg.textContent = (e as Error).message;
      return;
    }
    renderTicket();
    showInputPanel();
    const [ts, ds] = await Promise.all([api.transitions(id).catch(() => null), api.deliveries(id).catch(() => null)]);
    if (ts) renderTimeline(ts.data);
    if (ds) renderDeliveries(ds.data);
    await showResult();
  };

  void (async () => {
    await refresh();
    if (!job || abort.signal.aborted) return;
    // Live: status changes and progress over SSE (fetch streaming carries the API key).
    await followEvents(
      id,
      (ev) => {
        if (!job) return;
        const d = JSON.parse(ev.data) as Partial<Job>;
        if (ev.event === 'progress' || ev.event === 'status') {
          const before = job.status;
          job = { ...job, ...(d.status ? { status: d.status } : {}), ...(typeof d.progress === 'number' ? { progress: d.progress } : {}), ...(typeof d.attempts === 'number' ? { attempts: d.attempts } : {}) };
          if (job.status === 'completed') job.progress = 100;
          renderTicket();
          if (ev.event === 'status' && before !== job.status) {
            announce(`Job is ${job.status}`);
            void refresh();
          }
          return TERMINAL.includes(job.status);
        }
      },
      abort.signal,
    );
    if (!abort.signal.aborted) {
      await refresh();
      // Webhook deliveries land shortly after the job ends: look again a few times.
      for (let i = 0; i < 5 && !abort.signal.aborted; i++) {
        await new Promise((r) => setTimeout(r, 2000));
        if (!abort.signal.aborted) await refresh();
      }
    }
  })();

  return () => abort.abort();
}

/** The parsed resume as a readable card. */
function resumeCard(r: Resume): HTMLElement {
  const b = r.basics ?? {};
  const loc = [b.location?.city, b.location?.region, b.location?.countryCode].filter(Boolean).join(', ');
  const range = (a?: string, z?: string) => (a || z ? `${a ?? '?'} – ${z ?? 'present'}` : '');
  return h(
    'article',
    { className: 'resume', 'aria-label': 'Parsed resume' },
    h('header', {}, h('h3', { className: 'name', 'data-field': 'name' }, b.name ?? 'Name not found'), b.label ? h('p', { className: 'label' }, b.label) : null),
    h(
      'ul',
      { className: 'contact' },
      b.email ? h('li', {}, h('span', { className: 'k' }, 'Email '), h('a', { href: `mailto:${b.email}`, 'data-field': 'email' }, b.email)) : null,
      b.phone ? h('li', {}, h('span', { className: 'k' }, 'Phone '), b.phone) : null,
      loc ? h('li', {}, h('span', { className: 'k' }, 'Location '), loc) : null,
      b.url ? h('li', {}, h('span', { className: 'k' }, 'Web '), b.url) : null,
      (b.profiles ?? []).map((p) => h('li', {}, h('span', { className: 'k' }, `${p.network ?? 'Profile'} `), p.url ?? p.username ?? '')),
    ),
    b.summary ? h('p', { className: 'summary' }, b.summary) : null,
    r.work?.length
      ? [h('h4', {}, 'Experience'), h('ul', { className: 'entries' }, r.work.map((w) => h('li', {}, h('strong', {}, [w.position, w.name].filter(Boolean).join(' · ')), h('span', { className: 'hint' }, ' ', range(w.startDate, w.endDate)), w.highlights?.length ? h('ul', {}, w.highlights.slice(0, 5).map((x) => h('li', {}, x))) : null)))]
      : null,
    r.education?.length
      ? [h('h4', {}, 'Education'), h('ul', { className: 'entries' }, r.education.map((e) => h('li', {}, h('strong', {}, e.institution ?? ''), ' ', [e.studyType, e.area].filter(Boolean).join(', '), h('span', { className: 'hint' }, ' ', range(e.startDate, e.endDate)))))]
      : null,
    r.skills?.length ? [h('h4', {}, 'Skills'), h('p', { className: 'skills' }, r.skills.flatMap((sk) => [sk.name, ...(sk.keywords ?? [])]).filter(Boolean).map((k) => h('span', { className: 'chip' }, k as string)))] : null,
    r.languages?.length ? [h('h4', {}, 'Languages'), h('p', {}, r.languages.map((l) => [l.language, l.fluency].filter(Boolean).join(' (') + (l.fluency ? ')' : '')).join(', '))] : null,
  );
}
