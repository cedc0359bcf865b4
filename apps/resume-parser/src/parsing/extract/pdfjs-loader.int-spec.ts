import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

// A fresh thread of plain Node (not Jest's vm sandbox, whose builtins are not the ones pdfjs
// patches), running the build's loader the way the parser threads do.
const ROOT = join(__dirname, '../../../../..');
const LOADER = join(ROOT, 'dist/apps/resume-parser/src/parsing/extract/pdfjs-loader.js');
const PDFJS = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');

interface Probe {
  push: boolean;
  parse: boolean;
  stringify: boolean;
  withResolvers: string;
  getDocument: string;
  decompressionStream: string;
}

function probe(load: string): Promise<Probe> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const natives = { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
    (async () => {
      ${load}
      parentPort.postMessage({
        push: Array.prototype.push === natives.push,
        parse: JSON.parse === natives.parse,
        stringify: JSON.stringify === natives.stringify,
        withResolvers: typeof Promise.withResolvers,
        getDocument: typeof pdfjs.getDocument,
        decompressionStream: typeof globalThis.DecompressionStream,
      });
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m) => {
      void w.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    w.once('error', reject);
  });
}

describe('pdfjs loader (in a worker thread, on the build)', () => {
  beforeAll(() => {
    if (!existsSync(LOADER)) throw new Error(`${LOADER} not found: run npm run build`);
  });

  it('pdfjs-dist replaces native builtins when imported as is (why the loader exists)', async () => {
    const p = await probe(`const pdfjs = await import(${JSON.stringify(PDFJS)}); await import(${JSON.stringify(PDFJS.replace('pdf.mjs', 'pdf.worker.mjs'))});`);
    expect(p.getDocument).toBe('function');
    expect([p.push, p.parse, p.stringify]).toContain(false);
  });

  it('loads pdfjs with the native builtins back and its additions kept', async () => {
    const p = await probe(`const pdfjs = await require(${JSON.stringify(LOADER)}).loadPdfjs();`);
    expect(p).toEqual({ push: true, parse: true, stringify: true, withResolvers: 'function', getDocument: 'function', decompressionStream: 'function' });
  });

  it('useSynchronousInflate hides DecompressionStream from pdfjs in that thread only', async () => {
    const p = await probe(`const l = require(${JSON.stringify(LOADER)}); l.useSynchronousInflate(); const pdfjs = await l.loadPdfjs();`);
    expect(p.decompressionStream).toBe('undefined');
    expect(typeof (globalThis as { DecompressionStream?: unknown }).DecompressionStream).toBe('function');
  });
});
