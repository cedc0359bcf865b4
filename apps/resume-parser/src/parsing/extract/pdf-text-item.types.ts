export interface PdfGlyphRun {
  str: string;
  x: number;
  /** baseline, PDF space (grows upwards) */
  y: number;
  width: number;
  fontSize: number;
  bold: boolean;
  fontName: string;
}
