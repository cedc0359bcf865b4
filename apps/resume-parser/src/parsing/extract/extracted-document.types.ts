export type SourceFormat = 'pdf' | 'docx' | 'txt' | 'md';

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
}

export interface ExtractedDocument {
  format: SourceFormat;
  pages?: number;
  lines: ExtractedLine[];
  warnings: string[];
}

export interface ExtractOptions {
  maxPages: number;
  onProgress?: (pct: number) => void;
}
