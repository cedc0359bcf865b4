// Bare denominator of the parse bench (piscina worker): plain pdfjs-dist as anyone would call it
// for text — getDocument with its defaults (warnings off), getTextContent on every page, destroy.
// No layout, no font names (OpenResume's reader also asks for every page's operator list to
// get those; this floor does not), no sections. Timed inside the thread.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const pdfjsReady = import(require.resolve('pdfjs-dist/legacy/build/pdf.mjs'));

export default async function bareText({ bytes }) {
  const pdfjs = await pdfjsReady;
  const t0 = performance.now();
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  let items = 0;
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    items += (await page.getTextContent()).items.length;
    page.cleanup();
  }
  const pages = doc.numPages;
  await doc.destroy();
  return { ms: performance.now() - t0, pages, items };
}
