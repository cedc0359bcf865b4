export type SourceFormat = 'pdf' | 'docx' | 'txt' | 'md' | 'html' | 'odt' | 'rtf' | 'doc' | 'png' | 'jpeg';

export type LineKind = 'heading' | 'bullet' | 'text';

export interface ExtractedLine {
  text: string;
  page: number;
  /** PDF user-space units (points) for PDFs; 0 for flow formats. */
  x: number;
  y: number;
  /** right edge, when known (PDF): tells wrapped lines from short ones */
  x2?: number;
  fontSize: number;
  bold: boolean;
  /** 0 = first column in reading order; set when a multi-column layout was detected. */
  column?: number;
  /** Set by flow formats that know the structure (DOCX/Markdown); PDFs leave it to heuristics. */
  kind?: LineKind;
  /** Another line shares this baseline (tab-stop dates, table cells). */
  sameRowAsPrev?: boolean;
  url?: string;
  /** every link target drawn over the line (PDF link annotations), in reading order */
  links?: string[];
}

export interface ExtractedDocument {
  format: SourceFormat;
  pages?: number;
  lines: ExtractedLine[];
  warnings: string[];
  /** text came from OCR (scanned PDF, image) */
  ocr?: boolean;
}

export interface ExtractOptions {
  maxPages: number;
  onProgress?: (pct: number) => void;
  /** aborted when the document's time is up: long steps (OCR) stop early */
  signal?: AbortSignal;
}
