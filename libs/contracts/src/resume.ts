/** JSON Resume v1 (jsonresume.org) as produced by resume.parse, plus `meta`. */
export interface ResumeLocation {
  address?: string;
  postalCode?: string;
  city?: string;
  region?: string;
  countryCode?: string;
}
export interface ResumeProfile { network: string; username?: string; url?: string }
export interface ResumeBasics {
  name?: string;
  label?: string;
  email?: string;
  phone?: string;
  url?: string;
  summary?: string;
  location?: ResumeLocation;
  profiles?: ResumeProfile[];
}
export interface ResumeWork {
  name?: string;
  position?: string;
  location?: string;
  url?: string;
  startDate?: string;
  endDate?: string;
  summary?: string;
  highlights?: string[];
}
export interface ResumeEducation {
  institution?: string;
  area?: string;
  studyType?: string;
  startDate?: string;
  endDate?: string;
  score?: string;
  courses?: string[];
}
export interface ResumeSkill { name: string; level?: string; keywords?: string[] }
export interface ResumeLanguage { language: string; fluency?: string }
export interface ResumeCertificate { name: string; date?: string; issuer?: string; url?: string }
export interface ResumeProject { name: string; description?: string; highlights?: string[]; startDate?: string; endDate?: string; url?: string }
export interface ResumeAward { title: string; date?: string; awarder?: string; summary?: string }

export interface ResumeMeta {
  sourceFormat: string;
  pages?: number;
  ocr: boolean;
  parserVersion: string;
  warnings: string[];
}

export interface ResumeDocument {
  basics: ResumeBasics;
  work: ResumeWork[];
  education: ResumeEducation[];
  skills: ResumeSkill[];
  languages: ResumeLanguage[];
  certificates: ResumeCertificate[];
  projects: ResumeProject[];
  awards: ResumeAward[];
  meta: ResumeMeta;
}
