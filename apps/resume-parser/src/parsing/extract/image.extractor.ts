import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractOptions } from './extracted-document.types';
import { ocrPageToLines } from './ocr/ocr-lines.util';
import { recognize } from './ocr/tesseract.engine';

/** Pixels an image may declare at all (a 20000×20000 PNG is a decompression bomb, not a resume). */
export const MAX_IMAGE_PIXELS = 60_000_000;
/** Larger images are scaled down before OCR: text stays legible and OCR time stays bounded. */
const OCR_MAX_SIDE = 3300;

export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from a PNG's IHDR or a JPEG's SOF marker, without decoding the pixels. */
export function imageSize(bytes: Buffer, format: 'png' | 'jpeg'): ImageSize | undefined {
  if (format === 'png') {
    if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = bytes.readUInt16BE(i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
    }
    if (marker === 0xda) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/** PNG/JPEG resume: OCR, then the same layout logic as a PDF page. */
export async function extractImage(bytes: Buffer, format: 'png' | 'jpeg', opts: ExtractOptions): Promise<ExtractedDocument> {
  const size = imageSize(bytes, format);
  if (!size || !size.width || !size.height) throw new ParseError(ErrorCode.CorruptInput, `unreadable ${format.toUpperCase()}: no image header`);
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new ParseError(ErrorCode.InputTooLarge, `the image is ${size.width}×${size.height} pixels, more than ${MAX_IMAGE_PIXELS}`);
  }
  let image = bytes;
  let { width, height } = size;
  const scale = Math.min(1, OCR_MAX_SIDE / Math.max(width, height));
  if (scale < 1) ({ image, width, height } = await downscale(bytes, scale));
  opts.onProgress?.(10);
  let page;
  try {
    page = await recognize(image, { width, height }, opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw new ParseError(ErrorCode.Timeout, 'parsing ran out of time');
    const msg = String((err as Error)?.message ?? err);
    throw new ParseError(ErrorCode.CorruptInput, `unreadable ${format.toUpperCase()}: ${msg}`);
  }
  // no physical size is known: map the width onto an A4/Letter-wide page (~8.3 in)
  const pxPerPt = width / 600;
  const lines = ocrPageToLines(page, { pxPerPt, pageNo: 1 });
  return { format, pages: 1, lines, warnings: ['no text layer: OCR used'], ocr: true };
}

async function downscale(bytes: Buffer, scale: number): Promise<{ image: Buffer; width: number; height: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createCanvas, loadImage } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
  let img;
  try {
    img = await loadImage(bytes);
  } catch (err) {
    throw new ParseError(ErrorCode.CorruptInput, `unreadable image: ${String((err as Error)?.message ?? err)}`);
  }
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(img, 0, 0, width, height);
  return { image: await canvas.encode('png'), width, height };
}
