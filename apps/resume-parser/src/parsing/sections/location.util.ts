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

/**
 * Large cities and well-known places, for a place written on its own ("Programmer | Acme | Berlin"),
 * which parseLocation cannot tell from a word. Lower case; only names that are rarely anything else.
 */
const CITIES = new Set(
  (
    'amsterdam|athens|atlanta|auckland|austin|baltimore|bangalore|bengaluru|bangkok|barcelona|basel|beijing|belfast|belgrade|berlin|bern|bilbao|' +
    'birmingham|bogota|bogotá|bologna|bordeaux|boston|bratislava|brighton|brisbane|bristol|brno|brussels|bucharest|budapest|buenos aires|cairo|calgary|' +
    'cambridge|canberra|cape town|cardiff|charlotte|chennai|chicago|cincinnati|cleveland|cologne|copenhagen|cork|dallas|delhi|new delhi|denver|detroit|' +
    'dhaka|dubai|dublin|düsseldorf|dusseldorf|edinburgh|eindhoven|espoo|florence|frankfurt|galway|gdansk|gdańsk|geneva|genoa|ghent|glasgow|gothenburg|' +
    'graz|guadalajara|hamburg|hanoi|hanover|hannover|helsinki|ho chi minh city|hong kong|honolulu|houston|hyderabad|indianapolis|istanbul|jakarta|' +
    'johannesburg|karachi|kiev|kyiv|krakow|kraków|kuala lumpur|lagos|lahore|las vegas|leeds|leicester|leipzig|lille|lima|limerick|lisbon|liverpool|' +
    'ljubljana|london|los angeles|luxembourg|lyon|madrid|malmo|malmö|manchester|manila|marseille|melbourne|mexico city|miami|milan|milwaukee|' +
    'minneapolis|minsk|montevideo|montreal|montréal|moscow|mumbai|munich|münchen|nairobi|nantes|naples|nashville|new york|new york city|newcastle|' +
    'nottingham|nuremberg|oakland|osaka|oslo|ottawa|oxford|palo alto|paris|perth|philadelphia|phoenix|pittsburgh|portland|porto|prague|pune|' +
    'raleigh|reykjavik|riga|rio de janeiro|rome|rotterdam|sacramento|saint petersburg|salt lake city|san antonio|san diego|san francisco|' +
    'san jose|santiago|são paulo|sao paulo|seattle|seoul|seville|shanghai|sheffield|shenzhen|singapore|sofia|southampton|stockholm|stuttgart|sydney|' +
    'taipei|tallinn|tampere|tel aviv|the hague|tokyo|toronto|toulouse|turin|utrecht|valencia|vancouver|venice|vienna|vilnius|warsaw|washington|' +
    'wellington|wroclaw|wrocław|york|zagreb|zurich|zürich'
  ).split('|'),
);

/** A city or country written alone ("Cambridge", "Germany", "New York"), or a place parseLocation knows. */
export function isKnownPlace(raw: string): boolean {
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!/^[\p{Lu}]/u.test(s)) return false;
  const lower = s.toLowerCase();
  return CITIES.has(lower) || !!COUNTRIES[lower] || (isLocation(s) && s.split(',').length <= 2 && !/^(remote|hybrid|on-?site)$/i.test(s));
}

/** Shaped like a place name: one to three capitalised words, no digits ("Cambridge", "Bad Homburg"). */
export function looksLikePlaceName(raw: string): boolean {
  const s = raw.trim();
  return isKnownPlace(s) || /^[\p{Lu}][\p{L}'’.-]+(?:[ -](?:[\p{Lu}][\p{L}'’.-]*|upon|on|am|an|de|del|la|le|sur))*$/u.test(s) && s.split(/\s+/).length <= 3;
}
