// Validates Kubernetes objects against the OpenAPI schemas shipped by the kubernetes-models
// packages (core API, KEDA and prometheus-operator CRDs), offline: there is no API server here.
// stdin: JSON array of objects. stdout: JSON array of {index, kind, name, error}.
// (An ES module script run by node because kubernetes-models is ESM-only and Jest runs CommonJS.)
const input = await new Promise((resolve, reject) => {
  let s = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (c) => (s += c));
  process.stdin.on('end', () => resolve(s));
  process.stdin.on('error', reject);
});

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/${group}/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const problems = [];
const objects = JSON.parse(input);
for (const [index, obj] of objects.entries()) {
  const kind = obj?.kind;
  const name = obj?.metadata?.name;
  const report = (error) => problems.push({ index, kind, name, error });
  if (!obj?.apiVersion || !kind) { report('missing apiVersion or kind'); continue; }
  if (!name || name.length > 253 || !DNS1123.test(name)) report(`bad metadata.name ${JSON.stringify(name)}`);
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63) report(`bad label value ${k}=${JSON.stringify(v)}`);
  }
  let mod;
  try {
    mod = await import(modulePath(obj.apiVersion, kind));
  } catch {
    report(`no schema known for ${obj.apiVersion} ${kind}`);
    continue;
  }
  const Model = mod[kind] ?? mod.default;
  // kustomize wraps long base64 values over lines; Go's base64 decoder (the API server's)
  // skips \r and \n, the schema's "byte" format does not: unwrap before checking.
  if (kind === 'Secret' && obj.data) {
    obj.data = Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]));
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    report(String(e?.message ?? e));
  }
}
process.stdout.write(JSON.stringify(problems));
