import * as vm from 'node:vm';

// pdfjs-dist 5 is ESM-only; `new Function` keeps tsc's CommonJS output from rewriting import() to require().
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<any>;
const SPECIFIER = 'pdfjs-dist/legacy/build/pdf.mjs';
// The "fake worker" pdfjs runs in this thread under Node; importing it up front puts it on
// globalThis.pdfjsWorker, where pdf.mjs finds it instead of importing it on the first document.
const WORKER_SPECIFIER = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

let cached: Promise<any> | undefined;

/**
 * pdfjs-dist's legacy build, loaded once per thread (every document of the thread reuses it).
 *
 * Its bundled core-js does more than add what Node 20 lacks (Promise.withResolvers,
 * Uint8Array#toHex…, which pdfjs needs and keep): it also *replaces* builtins Node has, for
 * spec corners nobody here relies on — Array.prototype.push (V8 < 12.2 does not throw on a
 * frozen length), JSON.parse/stringify (reviver source text) and Function.prototype.toString.
 * Those replacements are JavaScript, and push runs for every glyph pdfjs reads and every line
 * we build: profiled at ~14% of a text PDF's parse. The natives come back once pdfjs is loaded.
 */
export function loadPdfjs(): Promise<any> {
  cached ??= (async () => {
    const natives = snapshotBuiltins();
    try {
      const pdfjs = await importEsm(SPECIFIER);
      await importEsm(WORKER_SPECIFIER);
      return pdfjs;
    } finally {
      restoreBuiltins(natives);
    }
  })().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/**
 * For a thread that only parses (the piscina worker): make pdfjs inflate with its own
 * synchronous decoder. pdfjs 5 sends every Flate stream (page contents, fonts) through
 * DecompressionStream when the global exists; on Node 20 each one builds a web-stream pair over a
 * zlib stream and costs several async hops — ~25% of a text PDF's parse, where pdfjs's inflate
 * of a resume's few-kilobyte streams is cheaper. pdfjs falls back by itself when the global is
 * absent. Not done implicitly: other code sharing a thread may want the global.
 */
export function useSynchronousInflate(): void {
  delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;
}

function importEsm(specifier: string): Promise<any> {
  return dynamicImport(specifier).catch((err: Error) => {
    // Jest's vm sandbox has no import() without --experimental-vm-modules; a script compiled
    // with Node's default loader (Node >= 20.16) still has one
    const loader = (vm.constants as any)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    if (!loader || !/experimental-vm-modules/i.test(String(err?.message))) throw err;
    const script = new vm.Script('(s) => import(s)', { importModuleDynamically: loader });
    return (script.runInThisContext() as (s: string) => Promise<any>)(require.resolve(specifier));
  });
}

type Snapshot = Array<[target: object, key: PropertyKey, descriptor: PropertyDescriptor]>;

const BUILTINS: object[] = [
  Array,
  Array.prototype,
  Object,
  Object.prototype,
  Function.prototype,
  JSON,
  Promise,
  Promise.prototype,
  Map.prototype,
  Set.prototype,
  WeakMap.prototype,
  String.prototype,
  Number,
  Math,
  RegExp.prototype,
  ArrayBuffer.prototype,
  Uint8Array,
  Uint8Array.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object,
];

function snapshotBuiltins(): Snapshot {
  const out: Snapshot = [];
  for (const target of BUILTINS) {
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key);
      if (d) out.push([target, key, d]);
    }
  }
  return out;
}

/** Puts back builtins that existed before and were replaced; additions (polyfills) stay. */
function restoreBuiltins(snapshot: Snapshot): void {
  for (const [target, key, before] of snapshot) {
    const now = Object.getOwnPropertyDescriptor(target, key);
    if (!now || !before.configurable) continue;
    const same = 'value' in before ? Object.is(now.value, before.value) : now.get === before.get && now.set === before.set;
    if (!same) Object.defineProperty(target, key, before);
  }
}
