/** Renders one pdfjs page to a PNG for OCR, at `dpi` but never above a pixel budget. */
export const OCR_DPI = 200;
const MAX_PIXELS = 16_000_000;
const MAX_SIDE = 6000;

export interface RenderedPage {
  png: Buffer;
  width: number;
  height: number;
  /** pixels per PDF point actually used */
  pxPerPt: number;
}

export async function renderPageToPng(page: any, dpi = OCR_DPI): Promise<RenderedPage> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createCanvas } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
  const base = page.getViewport({ scale: 1 });
  let scale = dpi / 72;
  const px = base.width * base.height * scale * scale;
  if (px > MAX_PIXELS) scale *= Math.sqrt(MAX_PIXELS / px);
  scale = Math.min(scale, MAX_SIDE / Math.max(base.width, base.height));
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.max(1, Math.ceil(viewport.width)), Math.max(1, Math.ceil(viewport.height)));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: ctx, canvas, viewport }).promise;
  // encode() runs on libuv's pool, not on this thread's loop
  const png = await canvas.encode('png');
  return { png, width: canvas.width, height: canvas.height, pxPerPt: scale };
}
