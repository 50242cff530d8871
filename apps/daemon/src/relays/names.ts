// Country and city names for location codes, and the ISO 3166 codes used to spot a location in a file name.

/** Every ISO 3166-1 alpha-2 code, lower-case: a file name's "se-got-…" is a location only if "se" is one. */
const ISO_COUNTRY_CODES = new Set(
  (
    'ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs bt bv ' +
    'bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es ' +
    'et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie ' +
    'il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ' +
    'ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu ' +
    'nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm ' +
    'sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve ' +
    'vg vi vn vu wf ws ye yt za zm zw'
  ).split(' '),
);

// Names as Mullvad's relay list spells them, so a wg-quick import sits next to a Mullvad list unchanged.
// prettier-ignore
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  al: 'Albania', ar: 'Argentina', at: 'Austria', au: 'Australia', be: 'Belgium', bg: 'Bulgaria',
  br: 'Brazil', ca: 'Canada', ch: 'Switzerland', cl: 'Chile', co: 'Colombia', cy: 'Cyprus',
  cz: 'Czech Republic', de: 'Germany', dk: 'Denmark', ee: 'Estonia', es: 'Spain', fi: 'Finland',
  fr: 'France', gb: 'UK', gr: 'Greece', hk: 'Hong Kong', hr: 'Croatia', hu: 'Hungary', id: 'Indonesia',
  ie: 'Ireland', il: 'Israel', in: 'India', is: 'Iceland', it: 'Italy', jp: 'Japan', kr: 'South Korea',
  lt: 'Lithuania', lu: 'Luxembourg', lv: 'Latvia', md: 'Moldova', mx: 'Mexico', my: 'Malaysia',
  ng: 'Nigeria', nl: 'Netherlands', no: 'Norway', nz: 'New Zealand', pe: 'Peru', ph: 'Philippines',
  pl: 'Poland', pt: 'Portugal', ro: 'Romania', rs: 'Serbia', se: 'Sweden', sg: 'Singapore',
  si: 'Slovenia', sk: 'Slovakia', th: 'Thailand', tr: 'Turkey', tw: 'Taiwan', ua: 'Ukraine',
  us: 'USA', vn: 'Vietnam', za: 'South Africa',
};

/** Cities by "<country>-<city>", the commonest relay locations. */
// prettier-ignore
const CITY_NAMES: Readonly<Record<string, string>> = {
  'at-vie': 'Vienna', 'au-mel': 'Melbourne', 'au-syd': 'Sydney', 'be-bru': 'Brussels', 'bg-sof': 'Sofia',
  'br-sao': 'Sao Paulo', 'ca-mtr': 'Montreal', 'ca-tor': 'Toronto', 'ca-van': 'Vancouver',
  'ch-zrh': 'Zurich', 'cz-prg': 'Prague', 'de-ber': 'Berlin', 'de-dus': 'Dusseldorf', 'de-fra': 'Frankfurt',
  'dk-cph': 'Copenhagen', 'es-mad': 'Madrid', 'fi-hel': 'Helsinki', 'fr-par': 'Paris', 'gb-lon': 'London',
  'gb-mnc': 'Manchester', 'hk-hkg': 'Hong Kong', 'ie-dub': 'Dublin', 'it-mil': 'Milan', 'jp-tyo': 'Tokyo',
  'nl-ams': 'Amsterdam', 'no-osl': 'Oslo', 'nz-akl': 'Auckland', 'pl-waw': 'Warsaw', 'pt-lis': 'Lisbon',
  'ro-buh': 'Bucharest', 'se-got': 'Gothenburg', 'se-mma': 'Malmö', 'se-sto': 'Stockholm',
  'sg-sin': 'Singapore', 'us-atl': 'Atlanta, GA', 'us-chi': 'Chicago, IL', 'us-dal': 'Dallas, TX',
  'us-lax': 'Los Angeles, CA', 'us-mia': 'Miami, FL', 'us-nyc': 'New York, NY', 'us-sea': 'Seattle, WA',
  'us-sjc': 'San Jose, CA',
};

export function isIsoCountryCode(code: string): boolean {
  return ISO_COUNTRY_CODES.has(code);
}

/** A country's display name: the built-in one, else the code upper-cased ("XK"). */
export function countryName(code: string): string {
  return COUNTRY_NAMES[code] ?? code.toUpperCase();
}

export function cityName(countryCode: string, cityCode: string): string {
  return CITY_NAMES[`${countryCode}-${cityCode}`] ?? cityCode.toUpperCase();
}
