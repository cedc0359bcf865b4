import { dirname, join } from 'node:path';

/** What the OCR engine reports, in image pixels: lines of words with their boxes. */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface OcrWord {
  text: string;
  confidence: number;
  bbox: OcrBox;
}
export interface OcrLine {
  text: string;
  confidence: number;
  bbox: OcrBox;
  /** the baseline's two ends, in pixels */
  baseline: OcrBox;
  rowHeight: number;
  words: OcrWord[];
}
export interface OcrPage {
  width: number;
  height: number;
  lines: OcrLine[];
}

interface TesseractWorker {
  recognize(image: Buffer, options?: object, output?: object): Promise<{ data: any }>;
  terminate(): Promise<unknown>;
}

/**
 * tesseract.js, entirely from node_modules: its wasm core is required from tesseract.js-core
 * (the Node build never fetches one), and the English LSTM model is read from the
 * @tesseract.js-data/eng package. cacheMethod 'none' keeps it from writing a cached copy to the
 * working directory. One engine per thread: the model takes ~0.4 s to load, so it is kept warm
 * and dropped after a minute without use.
 */
const IDLE_MS = 60_000;
let worker: Promise<TesseractWorker> | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let busy = 0;

export function englishDataPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

async function createWorker(): Promise<TesseractWorker> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Tesseract = require('tesseract.js') as { createWorker: (...a: unknown[]) => Promise<TesseractWorker>; OEM: Record<string, number> };
  return Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
    langPath: englishDataPath(),
    cacheMethod: 'none',
    gzip: true,
    // errors surface through the rejected promise; the default handler would also throw them
    errorHandler: () => undefined,
  });
}

function getWorker(): Promise<TesseractWorker> {
  worker ??= createWorker().catch((err) => {
    worker = undefined;
    throw err;
  });
  return worker;
}

function scheduleIdle(): void {
  clearTimeout(idleTimer);
  if (busy > 0) return;
  idleTimer = setTimeout(() => void terminateOcr(), IDLE_MS);
  idleTimer.unref?.();
}

/** Stops the engine (after a timeout, or at shutdown); the next call starts a fresh one. */
export async function terminateOcr(): Promise<void> {
  clearTimeout(idleTimer);
  const w = worker;
  worker = undefined;
  if (w) await w.then((x) => x.terminate()).catch(() => undefined);
}

/** OCRs one image (PNG/JPEG bytes). An aborted call terminates the engine so no work lingers. */
export async function recognize(image: Buffer, size: { width: number; height: number }, signal?: AbortSignal): Promise<OcrPage> {
  busy++;
  clearTimeout(idleTimer);
  const onAbort = () => void terminateOcr();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    const w = await getWorker();
    const { data } = await w.recognize(image, {}, { blocks: true, text: false });
    return toPage(data, size);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    busy--;
    scheduleIdle();
  }
}

function toPage(data: any, size: { width: number; height: number }): OcrPage {
  const lines: OcrLine[] = [];
  let { width, height } = size;
  for (const block of data?.blocks ?? []) {
    for (const para of block.paragraphs ?? []) {
      for (const l of para.lines ?? []) {
        const words: OcrWord[] = (l.words ?? [])
          .map((w: any) => ({ text: String(w.text ?? ''), confidence: Number(w.confidence ?? 0), bbox: box(w.bbox) }))
          .filter((w: OcrWord) => w.text.trim() !== '');
        if (!words.length) continue;
        const bbox = box(l.bbox);
        width = Math.max(width, bbox.x1);
        height = Math.max(height, bbox.y1);
        lines.push({
          text: String(l.text ?? '').trim(),
          confidence: Number(l.confidence ?? 0),
          bbox,
          baseline: l.baseline ? box(l.baseline) : { x0: bbox.x0, y0: bbox.y1, x1: bbox.x1, y1: bbox.y1 },
          rowHeight: Number(l.rowAttributes?.rowHeight ?? bbox.y1 - bbox.y0),
          words,
        });
      }
    }
  }
  return { width, height, lines };
}

const box = (b: any): OcrBox => ({ x0: Number(b?.x0 ?? 0), y0: Number(b?.y0 ?? 0), x1: Number(b?.x1 ?? 0), y1: Number(b?.y1 ?? 0) });
