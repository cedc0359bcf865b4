const COUNTRIES: Record<string, string> = {
  'united states': 'US', usa: 'US', 'united kingdom': 'GB', uk: 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  ireland: 'IE', canada: 'CA', australia: 'AU', 'new zealand': 'NZ', germany: 'DE', france: 'FR', spain: 'ES',
  portugal: 'PT', italy: 'IT', netherlands: 'NL', 'the netherlands': 'NL', belgium: 'BE', switzerland: 'CH',
  austria: 'AT', sweden: 'SE', norway: 'NO', denmark: 'DK', finland: 'FI', poland: 'PL', 'czech republic': 'CZ',
  czechia: 'CZ', hungary: 'HU', romania: 'RO', greece: 'GR', turkey: 'TR', india: 'IN', china: 'CN', japan: 'JP',
  singapore: 'SG', 'south korea': 'KR', korea: 'KR', taiwan: 'TW', 'hong kong': 'HK', brazil: 'BR', mexico: 'MX',
  argentina: 'AR', chile: 'CL', colombia: 'CO', nigeria: 'NG', kenya: 'KE', 'south africa': 'ZA', egypt: 'EG',
  israel: 'IL', 'united arab emirates': 'AE', uae: 'AE', estonia: 'EE', latvia: 'LV', lithuania: 'LT',
  luxembourg: 'LU', iceland: 'IS', vietnam: 'VN', indonesia: 'ID', philippines: 'PH', malaysia: 'MY', thailand: 'TH',
  pakistan: 'PK', bangladesh: 'BD', ukraine: 'UA', russia: 'RU', ghana: 'GH', peru: 'PE',
};
const US_STATES = new Set('AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC'.split(' '));
const CA_PROVINCES = new Set('AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '));
const AU_STATES = new Set('NSW VIC QLD WA SA TAS ACT NT'.split(' '));

export interface ParsedLocation {
  city?: string;
  region?: string;
  countryCode?: string;
}

const PLACE = /^[\p{Lu}][\p{L}'’.\- ]{1,40}$/u;

/** "Austin, TX", "London, United Kingdom", "Remote": a place, or undefined. */
export function parseLocation(raw: string): ParsedLocation | undefined {
  const s = raw.trim().replace(/^(location|address|based in)\s*:\s*/i, '');
  if (/^(remote|hybrid|on-?site)$/i.test(s)) return { city: s };
  const parts = s.split(/\s*,\s*/);
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => PLACE.test(p))) {
    if (parts.length === 1 && COUNTRIES[s.toLowerCase()]) return { countryCode: COUNTRIES[s.toLowerCase()] };
    return undefined;
  }
  const [city, ...rest] = parts;
  const last = rest[rest.length - 1];
  const out: ParsedLocation = { city };
  if (US_STATES.has(last)) Object.assign(out, { region: last, countryCode: 'US' });
  else if (CA_PROVINCES.has(last)) Object.assign(out, { region: last, countryCode: 'CA' });
  else if (AU_STATES.has(last)) Object.assign(out, { region: last, countryCode: 'AU' });
  else if (COUNTRIES[last.toLowerCase()]) {
    out.countryCode = COUNTRIES[last.toLowerCase()];
    if (rest.length === 2) out.region = rest[0];
  } else if (/^[A-Z]{2}$/.test(last)) out.region = last;
  else return undefined;
  return out;
}

export function isLocation(raw: string): boolean {
  return !!parseLocation(raw);
}
