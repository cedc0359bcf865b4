import { fixOcrToken, ocrPageToLines } from './ocr-lines.util';
import { OcrLine, OcrPage } from './tesseract.engine';

function line(text: string, x0: number, y0: number, opts: { tilt?: number; conf?: number; h?: number } = {}): OcrLine {
  const h = opts.h ?? 40;
  const tilt = opts.tilt ?? 0;
  let x = x0;
  const words = text.split(' ').map((t) => {
    const w = t.length * 20;
    const word = { text: t, confidence: opts.conf ?? 90, bbox: { x0: x, y0: y0 + tilt * x, x1: x + w, y1: y0 + h + tilt * x } };
    x += w + 12;
    return word;
  });
  return {
    text,
    confidence: opts.conf ?? 90,
    bbox: { x0, y0, x1: x, y1: y0 + h },
    baseline: { x0, y0: y0 + h * 0.8 + tilt * x0, x1: x, y1: y0 + h * 0.8 + tilt * x },
    rowHeight: h,
    words,
  };
}

describe('ocrPageToLines', () => {
  const pxPerPt = 200 / 72;

  it('turns OCR lines into positioned lines, top to bottom, in points', () => {
    const page: OcrPage = { width: 1700, height: 2200, lines: [line('Jane Doe', 200, 200, { h: 80 }), line('Staff Engineer', 200, 320)] };
    const lines = ocrPageToLines(page, { pxPerPt, pageNo: 1 });
    expect(lines.map((l) => l.text)).toEqual(['Jane Doe', 'Staff Engineer']);
    expect(lines[0].fontSize).toBeGreaterThan(lines[1].fontSize + 4);
    expect(lines[0].y).toBeGreaterThan(lines[1].y);
    expect(lines[0].x).toBeCloseTo(200 / pxPerPt, 0);
  });

  it('keeps a tilted row together and splits it at a tab-stop gap', () => {
    const tilt = 0.01;
    const page: OcrPage = {
      width: 1700,
      height: 2200,
      lines: [line('Acme Corp', 200, 400, { tilt }), line('2019 - 2021', 1300, 400, { tilt }), line('Built things for people', 200, 470, { tilt }), line('Another line of text here', 200, 540, { tilt })],
    };
    const lines = ocrPageToLines(page, { pxPerPt, pageNo: 1 });
    expect(lines.map((l) => [l.text, !!l.sameRowAsPrev])).toEqual([
      ['Acme Corp', false],
      ['2019 - 2021', true],
      ['Built things for people', false],
      ['Another line of text here', false],
    ]);
  });

  it('reads OCR bullet glyphs as bullets and drops rules and specks', () => {
    const page: OcrPage = {
      width: 1700,
      height: 2200,
      lines: [line('EXPERIENCE', 200, 300), line('—_— BESS', 200, 350, { conf: 4, h: 20 }), line('« Led the rewrite', 220, 400), line('+ Cut latency', 220, 460)],
    };
    expect(ocrPageToLines(page, { pxPerPt, pageNo: 1 }).map((l) => l.text)).toEqual(['EXPERIENCE', '• Led the rewrite', '• Cut latency']);
  });

  it('undoes in-word confusions', () => {
    expect(fixOcrToken('€1d214')).toBe('e1d214');
    expect(fixOcrToken('€100')).toBe('€100');
    expect(fixOcrToken('€2.5M')).toBe('€2.5M');
  });
});
