import { ExtractedLine } from '../extract/extracted-document.types';
import { undoHyphenation } from '../extract/pdf-lines.util';
import { parseBasics } from './basics.parser';

const line = (text: string, extra: Partial<ExtractedLine> = {}): ExtractedLine => ({ text, page: 1, x: 0, y: 0, fontSize: 0, bold: false, ...extra });
const basicsOf = (texts: Array<string | ExtractedLine>) => {
  const lines = texts.map((t) => (typeof t === 'string' ? line(t) : t));
  return parseBasics({ all: lines, header: lines, contact: [], summary: [] });
};

describe('basics: city in a contact row', () => {
  it.each([
    ['slashes with a label', 'Email: a@example.com / Phone: 646-555-0109 / Location: Austin, TX / LinkedIn:', 'Austin', 'US'],
    ['a row ending in its separator', 'a@example.org • 07700 900672 • Manchester, United Kingdom •', 'Manchester', 'GB'],
    ['a row ending in a slash', 'a@example.org / +353 20 912 3804 / Dublin, Ireland /', 'Dublin', 'IE'],
    ['spaced hyphens (OCR)', 'a@example.net - 07700 900659 - Oslo, Norway - https://x.example.org', 'Oslo', 'NO'],
    ['only single spaces between pieces', 'a@example.net 07700 900659 Oslo, Norway https://www.linkedin.com/in/a-b', 'Oslo', 'NO'],
    ['a two-word city the list knows', 'a@example.com 646 555 0100 New York, NY', 'New York', 'US'],
    ['a phone before an unknown one-word city', 'a@example.no +47 912 34 567 Tromsø, Norway', 'Tromsø', 'NO'],
    ['middle dots', 'a@example.org · +1 415 555 0152 · Location: Boston, MA · LinkedIn: linkedin.com/in/a', 'Boston', 'US'],
  ])('%s', (_case, row, city, countryCode) => {
    expect(basicsOf(['Jane Doe', row]).location).toMatchObject({ city, countryCode });
  });

  it.each([
    ['a comma in a sentence', 'Built tools for teams, mostly remote work'],
    ['a team after a comma', 'Lead engineer, Platform team'],
    ['a date range', 'Acme Ltd, 2019 - 2021'],
  ])('finds no city in %s', (_case, row) => {
    expect(basicsOf(['Jane Doe', row]).location?.city).toBeUndefined();
  });
});

describe('basics: profile links', () => {
  it.each([
    ['wrapped mid-word in a sidebar', ['LINKEDIN', 'https://www.linkedin.com/in/amarach', 'i-okafor-b71c02', 'SKILLS'], 'https://www.linkedin.com/in/amarachi-okafor-b71c02'],
    ['wrapped before its hyphen', ['LINKEDIN', 'https://www.linkedin.com/in/mai-tran', '-c4d51a', 'GITHUB'], 'https://www.linkedin.com/in/mai-tran-c4d51a'],
    ['wrapped after its hyphen', ['linkedin.com/in/jane-', 'doe-12ab'], 'https://www.linkedin.com/in/jane-doe-12ab'],
    ['not glued to a plain word', ['github.com/jdoe', 'python'], 'https://github.com/jdoe'],
    ['not glued to a year range', ['github.com/jdoe', '2019-2021'], 'https://github.com/jdoe'],
  ])('%s', (_case, rows, url) => {
    expect(basicsOf(['Jane Doe', ...rows]).profiles?.[0]?.url).toBe(url);
  });

  it('takes the link target over a clipped text address', () => {
    const rows = [line('Jane Doe'), line('linkedin.com/in/jane-d', { links: ['https://www.linkedin.com/in/jane-doe-4f21a'] })];
    expect(parseBasics({ all: rows, header: rows, contact: [], summary: [] }).profiles).toEqual([
      { network: 'LinkedIn', username: 'jane-doe-4f21a', url: 'https://www.linkedin.com/in/jane-doe-4f21a' },
    ]);
  });

  it('prefers a link target on the contact row over a project link in the body', () => {
    const header = [line('Jane Doe'), line('GitHub', { links: ['https://github.com/janedoe'] })];
    const body = [line('Projects'), line('Maintainer of github.com/acme/tool')];
    expect(parseBasics({ all: [...body, ...header], header, contact: [], summary: [] }).profiles?.map((p) => p.url)).toEqual(['https://github.com/janedoe']);
  });
});

describe('undoHyphenation', () => {
  it.each([
    ['a word', ['built an experi-', 'ence platform'], ['built an experience', 'platform']],
    ['an address path', ['LinkedIn: linkedin.com/in/ingrid-', 'halvorsen-f9a310'], ['LinkedIn: linkedin.com/in/ingrid-halvorsen-f9a310', '']],
    ['an address with a scheme', ['https://www.linkedin.com/in/emily-carter-', 'd1c39a · Web: x.org'], ['https://www.linkedin.com/in/emily-carter-d1c39a', '· Web: x.org']],
    ['a slash that is not an address', ['client/ser-', 'ver apps'], ['client/server', 'apps']],
  ])('%s', (_case, input, output) => {
    const lines = input.map((t) => line(t));
    undoHyphenation(lines);
    expect(lines.map((l) => l.text)).toEqual(output);
  });
});
