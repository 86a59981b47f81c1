import { Role } from '../auth/principal';
import type { AppointmentDto } from '../data-room/appointments/appointment.dto';
import type { ConsentRow } from '../data-room/consents/consents.writer';
import type { CustomerDto } from '../data-room/customers/customer.dto';
import type { VehicleDto } from '../data-room/vehicles/vehicle.dto';
import type { BrandTheme } from '../network/brands/brand.entity';
import type { PostalAddress } from '../network/dealers/dealer.entity';

export const DEMO_PASSWORD = 'forecourt-demo';

export const DEMO_LOGINS: { email: string; role: Role }[] = [
  { email: 'admin@demo.test', role: 'network-admin' },
  { email: 'brand@demo.test', role: 'brand-admin' },
  { email: 'dealer@demo.test', role: 'dealer-admin' },
];

export const DEMO_NETWORK_NAME = 'Demo Motor Group';

/** The seed of the generator: every fresh install gets the same people, cars and plates. */
const DEMO_SEED = 20241122;

/*
 * Everything in the demo is invented. Brands, models, dealers and companies are fictional; people
 * are random pairs from lists of common Dutch, German and English names; email addresses use the
 * reserved example domains and .test/.example (RFC 2606), so nothing can reach a real mailbox.
 */

export interface DemoRecord<T> {
  externalId: string;
  data: T;
}

export interface DemoBrand {
  key: string;
  name: string;
  theme: BrandTheme;
}

export interface DemoDealer {
  key: string;
  name: string;
  brandKeys: string[];
  timezone: string;
  locale: string;
  email: string;
  phone: string;
  address: PostalAddress;
  senderName: string;
  senderEmail: string;
  customers: DemoRecord<CustomerDto>[];
  /** `brandId` holds the brand's key, which the vehicle writer resolves. */
  vehicles: DemoRecord<VehicleDto>[];
  /** The ledger in the order the statements were made; `externalId` is the customer's. */
  consents: DemoRecord<ConsentRow>[];
  appointments: DemoRecord<AppointmentDto>[];
}

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  brandKeys?: string[];
  dealerKey?: string;
}

export interface DemoNetwork {
  name: string;
  /** The day the demo was generated for: due dates, birthdays and appointments are spread around it. */
  today: string;
  brands: DemoBrand[];
  dealers: DemoDealer[];
  users: DemoUser[];
}

// ---------------------------------------------------------------------------------------------
// Randomness and calendar arithmetic

/** mulberry32: small, fast and the same on every platform. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1][0];
  }

  chars(count: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < count; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** `count` digits, the first not zero. */
  number(count: number): string {
    return String(this.int(1, 9)) + this.chars(count - 1, '0123456789');
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same calendar day `years` later (29 February becomes 28 February). */
function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCDate() !== d) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function weekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** The next working day (Monday to Friday) on or after `day`. */
function workingDay(day: string): string {
  const dow = weekday(day);
  return dow === 6 ? addDays(day, 2) : dow === 0 ? addDays(day, 1) : day;
}

/** The latest working day on or before `day`. */
function workingDayBefore(day: string): string {
  const dow = weekday(day);
  return dow === 6 ? addDays(day, -1) : dow === 0 ? addDays(day, -2) : day;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneOffsetMs(instant: number, timeZone: string): number {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    zoneFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - instant;
}

/** The instant of a wall-clock time at the dealer (appointments are made in local time). */
function localInstant(day: string, minutes: number, timeZone: string): string {
  const wall = Date.parse(`${day}T00:00:00Z`) + minutes * 60 * 1000;
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Brands

interface BrandSpec extends DemoBrand {
  models: { name: string; code: string; fleet: boolean }[];
  /** World manufacturer identifier, the first three characters of every VIN. */
  wmi: string;
  warrantyYears: number;
  electric: boolean;
}

function logo(text: string, background: string, foreground: string, fontFamily: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64">` +
    `<rect width="240" height="64" rx="8" fill="${background}"/>` +
    `<text x="120" y="42" text-anchor="middle" font-family="${fontFamily.replace(/"/g, "'")}" font-size="26" ` +
    `font-weight="700" letter-spacing="3" fill="${foreground}">${text}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function footer(brand: string, tagline: string, color: string): string {
  return (
    `<p style="margin:0;color:${color};font-size:12px">${brand} · ${tagline}</p>` +
    `<p style="margin:4px 0 0;color:${color};font-size:11px">${brand} is a brand of ${DEMO_NETWORK_NAME}. ` +
    `This is demo data: every person, car and company in it is invented.</p>`
  );
}

const CORVALE_FONT = "Georgia, 'Times New Roman', serif";
const NORDSTRAND_FONT = "'Helvetica Neue', Helvetica, Arial, sans-serif";
const SOLVANE_FONT = "'Trebuchet MS', Verdana, sans-serif";

const BRANDS: BrandSpec[] = [
  {
    key: 'corvale',
    name: 'Corvale',
    theme: {
      primaryColor: '#8a1538',
      secondaryColor: '#c9a227',
      fontFamily: CORVALE_FONT,
      logoUrl: logo('CORVALE', '#8a1538', '#f7ecd0', CORVALE_FONT),
      footerHtml: footer('Corvale', 'Crafted for the long road', '#6b5a3a'),
    },
    models: [
      { name: 'Siena', code: 'SN', fleet: true },
      { name: 'Arno', code: 'AR', fleet: true },
      { name: 'Lago Station', code: 'LS', fleet: true },
      { name: 'Monte', code: 'MT', fleet: false },
    ],
    wmi: 'ZC7',
    warrantyYears: 3,
    electric: false,
  },
  {
    key: 'nordstrand',
    name: 'Nordstrand',
    theme: {
      primaryColor: '#1f4e79',
      secondaryColor: '#9cc3e6',
      fontFamily: NORDSTRAND_FONT,
      logoUrl: logo('NORDSTRAND', '#1f4e79', '#ffffff', NORDSTRAND_FONT),
      footerHtml: footer('Nordstrand', 'Built for every season', '#44546a'),
    },
    models: [
      { name: 'Fjell', code: 'FJ', fleet: true },
      { name: 'Sund', code: 'SU', fleet: true },
      { name: 'Vik Touring', code: 'VT', fleet: true },
      { name: 'Havbris', code: 'HB', fleet: false },
    ],
    wmi: 'YN3',
    warrantyYears: 5,
    electric: false,
  },
  {
    key: 'solvane',
    name: 'Solvane',
    theme: {
      primaryColor: '#0f766e',
      secondaryColor: '#f59e0b',
      fontFamily: SOLVANE_FONT,
      logoUrl: logo('SOLVANE', '#0f766e', '#fef3c7', SOLVANE_FONT),
      footerHtml: footer('Solvane', 'Electric, simply', '#115e59'),
    },
    models: [
      { name: 'Lumen', code: 'LM', fleet: true },
      { name: 'Aura', code: 'AU', fleet: true },
      { name: 'Zenit', code: 'ZN', fleet: false },
      { name: 'Orbit Cargo', code: 'CG', fleet: true },
    ],
    wmi: 'XL5',
    warrantyYears: 4,
    electric: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Names, places and numbers

const NL_FIRST = [
  'Daan', 'Sem', 'Lucas', 'Levi', 'Finn', 'Bram', 'Jesse', 'Thijs', 'Ruben', 'Lars', 'Tim', 'Jeroen', 'Mark', 'Dennis', 'Sander',
  'Bas', 'Peter', 'Jan', 'Kees', 'Henk', 'Willem', 'Pieter', 'Joost', 'Maarten', 'Niels', 'Rik', 'Stijn', 'Wouter', 'Gerrit', 'Martijn',
  'Emma', 'Julia', 'Sophie', 'Anna', 'Lisa', 'Eva', 'Sanne', 'Fleur', 'Lotte', 'Iris', 'Anouk', 'Femke', 'Marieke', 'Linda',
  'Ingrid', 'Monique', 'Esther', 'Sandra', 'Petra', 'Ilse', 'Noor', 'Tess', 'Lieke', 'Maud', 'Annelies', 'Karin', 'Wendy', 'Yvonne',
];
const NL_LAST = [
  'de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder',
  'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra', 'Smits', 'de Graaf',
  'van der Meer', 'van der Linden', 'Kok', 'Jacobs', 'de Haan', 'Vermeulen', 'van den Heuvel', 'van der Veen', 'van den Broek',
  'de Bruijn', 'van der Heijden', 'Schouten', 'van Beek', 'Willems', 'van Vliet', 'van de Ven', 'Hoekstra', 'Maas', 'Verhoeven',
  'Koster', 'van Dam', 'van der Wal', 'Prins', 'Blom', 'Huisman', 'Kuipers', 'Postma', 'Verbeek', 'Claassen', 'Timmermans',
];
const DE_FIRST = [
  'Lukas', 'Leon', 'Jonas', 'Paul', 'Felix', 'Maximilian', 'Thomas', 'Michael', 'Andreas', 'Stefan', 'Christian', 'Markus',
  'Daniel', 'Tobias', 'Jan', 'Klaus', 'Jürgen', 'Uwe', 'Frank', 'Wolfgang', 'Sebastian', 'Matthias', 'Florian', 'Dieter', 'Bernd',
  'Anna', 'Laura', 'Lena', 'Julia', 'Sarah', 'Lisa', 'Katharina', 'Sabine', 'Claudia', 'Petra', 'Susanne', 'Andrea', 'Nicole',
  'Stefanie', 'Monika', 'Birgit', 'Sandra', 'Melanie', 'Hannah', 'Marie', 'Sophie', 'Lea', 'Johanna', 'Ursula', 'Heike', 'Karin',
];
const DE_LAST = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch',
  'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann',
  'Lange', 'Schmitt', 'Werner', 'Schmitz', 'Krause', 'Meier', 'Lehmann', 'Schmid', 'Schulze', 'Maier', 'Köhler', 'Herrmann',
  'König', 'Walter', 'Mayer', 'Huber', 'Kaiser', 'Fuchs', 'Peters', 'Lang', 'Scholz', 'Möller', 'Weiß', 'Jung', 'Hahn', 'Vogel',
];
const EN_FIRST = ['James', 'Oliver', 'Daniel', 'Samuel', 'Ryan', 'Emily', 'Olivia', 'Grace', 'Chloe', 'Hannah', 'Priya', 'Arjun', 'Sofia', 'Marco'];
const EN_LAST = ['Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Walker', 'Clarke', 'Patel', 'Murphy', 'Kelly', 'Rossi', 'Garcia', 'Novak'];

const NL_STREETS = [
  'Kerkstraat', 'Molenweg', 'Dorpsstraat', 'Stationsweg', 'Schoolstraat', 'Beukenlaan', 'Lindelaan', 'Eikenlaan', 'Julianastraat',
  'Wilhelminalaan', 'Prinses Irenestraat', 'Rozengracht', 'Tulpstraat', 'Kastanjelaan', 'Berkenhof', 'Esdoornstraat', 'Vlierweg',
  'Zonnebloemstraat', 'Merelstraat', 'Vinkenlaan', 'Havenkade', 'Spoorsingel', 'Parklaan', 'Weverstraat', 'Smidsweg',
];
const DE_STREETS = [
  'Hauptstraße', 'Schulstraße', 'Gartenstraße', 'Bahnhofstraße', 'Dorfstraße', 'Bergstraße', 'Birkenweg', 'Lindenstraße',
  'Kirchstraße', 'Waldstraße', 'Ringstraße', 'Mühlenweg', 'Am Sportplatz', 'Rosenweg', 'Ahornweg', 'Buchenallee', 'Feldstraße',
  'Wiesenweg', 'Amselweg', 'Finkenstraße', 'Talstraße', 'Sonnenhang', 'Auf der Heide', 'Goethestraße', 'Schillerstraße',
];

const NL_SECTORS = [
  'Installatietechniek', 'Bouw', 'Transport', 'Schilderwerken', 'Hoveniers', 'Elektrotechniek', 'Loodgietersbedrijf',
  'Thuiszorg', 'Koeriersdienst', 'Schoonmaakdiensten', 'Dakwerken', 'Catering',
];
const DE_SECTORS = [
  'Haustechnik', 'Bau', 'Logistik', 'Malerbetrieb', 'Garten- und Landschaftsbau', 'Elektrotechnik', 'Sanitär', 'Pflegedienst',
  'Kurierdienst', 'Gebäudereinigung', 'Dachdeckerei', 'Catering',
];

/** Consonants as used on Dutch plates (no vowels, no C, M, Q, W or Y). */
const NL_PLATE_LETTERS = 'BDFGHJKLNPRSTVXZ';
const DE_PLATE_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
/** Letters of Dutch postal codes (F, I, O, Q, U and Y are not used). */
const NL_POSTAL_LETTERS = 'ABCDEGHJKLMNPRSTVWXZ';
/** Combinations licensing authorities do not issue (political or offensive abbreviations). */
const UNISSUED_PLATE = /SS|SD|SA|NSB|PVV|VVD|KKK|GVD|TBS|HJ|KZ|NS|\b(18|88|1933|1945)E?$/;
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const NL_MOBILE_PREFIXES = ['61', '62', '63', '64', '65'];
const DE_MOBILE_PREFIXES = ['151', '152', '157', '160', '162', '170', '171', '172', '176', '177'];

interface Place {
  city: string;
  /** Range of the numeric part of the postal code. */
  postal: [number, number];
  /** Area code without the trunk 0. */
  area: string;
  /** District code on German plates. */
  district?: string;
  weight: number;
}

interface DealerSpec {
  key: string;
  name: string;
  country: 'NL' | 'DE';
  brandKeys: string[];
  address: PostalAddress;
  phone: string;
  mailDomain: string;
  customers: number;
  places: Place[];
}

/**
 * Brand mixes chosen so that every brand is sold by three dealers (the least a brand report shows)
 * and the brand admin (Nordstrand) sees three of the four dealers.
 */
const DEALERS: DealerSpec[] = [
  {
    key: 'demo-utrecht',
    name: 'Demo Motors Utrecht',
    country: 'NL',
    brandKeys: ['corvale', 'nordstrand'],
    address: { street: 'Remiseweg 14', postalCode: '3526 KM', city: 'Utrecht', country: 'NL' },
    phone: '+31302040600',
    mailDomain: 'utrecht.demo.test',
    customers: 280,
    places: [
      { city: 'Utrecht', postal: [3511, 3585], area: '30', weight: 8 },
      { city: 'Nieuwegein', postal: [3430, 3439], area: '30', weight: 3 },
      { city: 'Zeist', postal: [3701, 3709], area: '30', weight: 2 },
      { city: 'Houten', postal: [3991, 3995], area: '30', weight: 2 },
      { city: 'Amersfoort', postal: [3811, 3829], area: '33', weight: 2 },
      { city: 'Maarssen', postal: [3601, 3608], area: '346', weight: 1 },
    ],
  },
  {
    key: 'demo-eindhoven',
    name: 'Demo Motors Eindhoven',
    country: 'NL',
    brandKeys: ['solvane', 'corvale'],
    address: { street: 'Accuweg 3', postalCode: '5651 GZ', city: 'Eindhoven', country: 'NL' },
    phone: '+31402950310',
    mailDomain: 'eindhoven.demo.test',
    customers: 220,
    places: [
      { city: 'Eindhoven', postal: [5611, 5658], area: '40', weight: 8 },
      { city: 'Veldhoven', postal: [5501, 5509], area: '40', weight: 2 },
      { city: 'Best', postal: [5681, 5684], area: '499', weight: 1 },
      { city: 'Helmond', postal: [5701, 5709], area: '492', weight: 2 },
      { city: 'Geldrop', postal: [5661, 5665], area: '40', weight: 1 },
      { city: 'Son en Breugel', postal: [5691, 5694], area: '499', weight: 1 },
    ],
  },
  {
    key: 'demo-koeln',
    name: 'Demo Autohaus Köln',
    country: 'DE',
    brandKeys: ['nordstrand', 'solvane'],
    address: { street: 'Werkstattring 21', postalCode: '50829', city: 'Köln', country: 'DE' },
    phone: '+492215809400',
    mailDomain: 'koeln.demo.test',
    customers: 250,
    places: [
      { city: 'Köln', postal: [50667, 51149], area: '221', district: 'K', weight: 9 },
      { city: 'Leverkusen', postal: [51371, 51381], area: '214', district: 'LEV', weight: 2 },
      { city: 'Bergisch Gladbach', postal: [51427, 51469], area: '2202', district: 'GL', weight: 2 },
      { city: 'Hürth', postal: [50354, 50354], area: '2233', district: 'BM', weight: 1 },
      { city: 'Frechen', postal: [50226, 50226], area: '2234', district: 'BM', weight: 1 },
      { city: 'Pulheim', postal: [50259, 50259], area: '2238', district: 'BM', weight: 1 },
    ],
  },
  {
    key: 'demo-muenchen',
    name: 'Demo Autohaus München',
    country: 'DE',
    brandKeys: ['corvale', 'nordstrand', 'solvane'],
    address: { street: 'Motorenstraße 7', postalCode: '80939', city: 'München', country: 'DE' },
    phone: '+49893170550',
    mailDomain: 'muenchen.demo.test',
    customers: 250,
    places: [
      { city: 'München', postal: [80331, 81929], area: '89', district: 'M', weight: 9 },
      { city: 'Freising', postal: [85354, 85356], area: '8161', district: 'FS', weight: 1 },
      { city: 'Dachau', postal: [85221, 85221], area: '8131', district: 'DAH', weight: 1 },
      { city: 'Erding', postal: [85435, 85435], area: '8122', district: 'ED', weight: 1 },
      { city: 'Starnberg', postal: [82319, 82319], area: '8151', district: 'STA', weight: 1 },
      { city: 'Fürstenfeldbruck', postal: [82256, 82256], area: '8141', district: 'FFB', weight: 1 },
    ],
  },
];

const USERS: DemoUser[] = [
  { email: 'admin@demo.test', name: 'Demo network admin', role: 'network-admin' },
  { email: 'brand@demo.test', name: 'Demo brand admin (Nordstrand)', role: 'brand-admin', brandKeys: ['nordstrand'] },
  { email: 'dealer@demo.test', name: 'Demo dealer admin (Utrecht)', role: 'dealer-admin', dealerKey: DEALERS[0].key },
  { email: 'user@demo.test', name: 'Demo dealer user (Utrecht)', role: 'dealer-user', dealerKey: DEALERS[0].key },
];

/** Letters only, for email local parts and domains: "van den Berg" → "vandenberg", "Müller" → "mueller". */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '');
}

/** ISO 3779 transliteration of VIN characters for the check digit. */
const VIN_VALUES: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9, 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9,
};
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** The ISO 3779 check digit (position 9) of a VIN. */
export function vinCheckDigit(vin: string): string {
  const sum = [...vin.toUpperCase()].reduce((total, c, i) => total + VIN_VALUES[c] * VIN_WEIGHTS[i], 0);
  const digit = sum % 11;
  return digit === 10 ? 'X' : String(digit);
}

/** Model-year code (VIN position 10), repeating every 30 years. */
function modelYearCode(year: number): string {
  return 'ABCDEFGHJKLMNPRSTVWXY123456789'[(year - 1980) % 30];
}

// ---------------------------------------------------------------------------------------------
// One dealer's data room

class DataRoomGenerator {
  private readonly customers: DemoRecord<CustomerDto>[] = [];
  private readonly vehicles: DemoRecord<VehicleDto>[] = [];
  private readonly consents: DemoRecord<ConsentRow>[] = [];
  private readonly appointments: DemoRecord<AppointmentDto>[] = [];
  private readonly plates = new Set<string>();
  private readonly emails = new Set<string>();
  private readonly companies = new Set<string>();
  private readonly serials = new Map<string, number>();
  private readonly timezone: string;
  private readonly brands: BrandSpec[];
  private customerSeq = 0;
  private vehicleSeq = 0;

  constructor(
    private readonly spec: DealerSpec,
    private readonly number: number,
    private readonly today: string,
    private readonly random: Random,
    /** Plates draw on their own stream: a plate redrawn (taken, or not issued) does not shift the rest. */
    private readonly plateRandom: Random,
  ) {
    this.timezone = spec.country === 'NL' ? 'Europe/Amsterdam' : 'Europe/Berlin';
    this.brands = spec.brandKeys.map((key) => BRANDS.find((b) => b.key === key)!);
  }

  generate(): DemoDealer {
    const { spec } = this;
    // About one customer in twenty is a company with a fleet; the rest are private owners.
    for (let i = 0; i < spec.customers; i++) {
      if (i % 20 === 7) this.fleet();
      else this.person();
    }
    this.bookAppointments();
    const locale = spec.country === 'NL' ? 'nl' : 'de';
    return {
      key: spec.key,
      name: spec.name,
      brandKeys: spec.brandKeys,
      timezone: this.timezone,
      locale,
      email: `info@${spec.mailDomain}`,
      phone: spec.phone,
      address: spec.address,
      senderName: spec.name,
      senderEmail: `service@${spec.mailDomain}`,
      customers: this.customers,
      vehicles: this.vehicles,
      consents: this.consents,
      appointments: this.appointments,
    };
  }

  // --- customers

  private nextCustomerId(): string {
    return `C-${this.number}${String(++this.customerSeq).padStart(5, '0')}`;
  }

  private customerLocale(): string {
    const own = this.spec.country === 'NL' ? 'nl' : 'de';
    const neighbour = own === 'nl' ? 'de' : 'nl';
    return this.random.weighted([[own, 85], ['en', 10], [neighbour, 5]] as const);
  }

  private nameFor(locale: string): { firstName: string; lastName: string } {
    const [first, last] = locale === 'nl' ? [NL_FIRST, NL_LAST] : locale === 'de' ? [DE_FIRST, DE_LAST] : [EN_FIRST, EN_LAST];
    return { firstName: this.random.pick(first), lastName: this.random.pick(last) };
  }

  private address(): { street: string; postalCode: string; city: string; country: string } {
    const place = this.random.weighted(this.spec.places.map((p) => [p, p.weight] as const));
    const nl = this.spec.country === 'NL';
    const number = this.random.int(1, this.random.chance(0.8) ? 80 : 240);
    const suffix = this.random.chance(0.08) ? (nl ? this.random.pick(['A', 'B', '-1', '-2']) : this.random.pick(['a', 'b'])) : '';
    return {
      street: `${this.random.pick(nl ? NL_STREETS : DE_STREETS)} ${number}${suffix}`,
      postalCode: nl ? this.dutchPostalCode(place) : String(this.random.int(place.postal[0], place.postal[1])).padStart(5, '0'),
      city: place.city,
      country: this.spec.country,
    };
  }

  private dutchPostalCode(place: Place): string {
    let letters: string;
    do letters = this.random.chars(2, NL_POSTAL_LETTERS);
    while (['SA', 'SD', 'SS'].includes(letters));
    return `${this.random.int(place.postal[0], place.postal[1])} ${letters}`;
  }

  private mobile(): string {
    return this.spec.country === 'NL'
      ? `+31${this.random.pick(NL_MOBILE_PREFIXES)}${this.random.chars(7, '0123456789')}`
      : `+49${this.random.pick(DE_MOBILE_PREFIXES)}${this.random.number(this.random.int(7, 8))}`;
  }

  private landline(): string {
    const place = this.random.pick(this.spec.places);
    // Dutch numbers have nine digits after the trunk 0; German ones here ten or eleven.
    const length = this.spec.country === 'NL' ? 9 : this.random.int(10, 11);
    return `+${this.spec.country === 'NL' ? '31' : '49'}${place.area}${this.random.number(length - place.area.length)}`;
  }

  private personalEmail(firstName: string, lastName: string): string {
    const first = slug(firstName);
    const last = slug(lastName);
    const local = this.random.weighted([
      [`${first}.${last}`, 5],
      [`${first[0]}.${last}`, 3],
      [`${first}${last}${this.random.int(1, 99)}`, 2],
      [`${first}${this.random.int(60, 99)}`, 1],
    ] as const);
    const domain = this.random.pick(['example.com', 'example.net', 'example.org']);
    // Two customers sharing an address would be taken for one person (see campaigns/policies/duplicates).
    let email = `${local}@${domain}`;
    for (let n = 2; this.emails.has(email); n++) email = `${local}${n}@${domain}`;
    this.emails.add(email);
    return email;
  }

  /** When the customer came to this dealer: the ledger's first statements date from then. */
  private customerSince(): string {
    return addDays(this.today, -this.random.int(60, 10 * 365));
  }

  /** A moment during office hours on `day`, as the ledger records it. */
  private moment(day: string): string {
    return localInstant(day, this.random.int(8 * 60, 18 * 60), this.timezone);
  }

  /** A day after `since` and at least `reserve` days before yesterday, so a later statement still fits before today. */
  private laterDay(since: string, reserve = 0): string {
    return addDays(since, this.random.int(1, Math.max(1, daysBetween(since, this.today) - 1 - reserve)));
  }

  private person(): void {
    const externalId = this.nextCustomerId();
    const locale = this.customerLocale();
    const { firstName, lastName } = this.nameFor(locale);
    const hasEmail = this.random.chance(0.72);
    // Without an email address a third are reachable by letter only.
    const phone = hasEmail
      ? this.random.weighted([['mobile', 75], ['landline', 10], ['none', 15]] as const)
      : this.random.weighted([['mobile', 45], ['landline', 20], ['none', 35]] as const);
    const age = this.random.int(19, 84);
    const birthDate = this.random.chance(0.95) ? addDays(addYears(this.today, -age), -this.random.int(0, 364)) : undefined;
    const customer: CustomerDto = {
      kind: 'person',
      firstName,
      lastName,
      email: hasEmail ? this.personalEmail(firstName, lastName) : undefined,
      phone: phone === 'mobile' ? this.mobile() : phone === 'landline' ? this.landline() : undefined,
      address: this.address(),
      birthDate,
      locale,
    };
    this.customers.push({ externalId, data: withoutUndefined(customer) });
    const count = this.random.chance(0.18) ? 2 : 1;
    const vehicles = Array.from({ length: count }, () => this.vehicle(externalId, this.random.pick(this.brands), false));
    this.personConsents(externalId, customer, vehicles);
  }

  private fleet(): void {
    const externalId = this.nextCustomerId();
    const nl = this.spec.country === 'NL';
    let companyName: string;
    do {
      const owner = this.nameFor(nl ? 'nl' : 'de').lastName;
      const sector = this.random.pick(nl ? NL_SECTORS : DE_SECTORS);
      companyName = nl
        ? this.random.weighted([[`${owner} ${sector} B.V.`, 3], [`${sector} ${owner}`, 1]] as const)
        : this.random.weighted([[`${sector} ${owner} GmbH`, 3], [`${owner} ${sector} GmbH & Co. KG`, 1]] as const);
    } while (this.companies.has(companyName));
    this.companies.add(companyName);
    const domain = `${companyName
      .replace(/\b(B\.V\.|GmbH|Co\. KG)/g, '')
      .split(/[\s&-]+/)
      .map(slug)
      .filter(Boolean)
      .join('-')}.example`;
    const manager = this.nameFor(nl ? 'nl' : 'de');
    const customer: CustomerDto = {
      kind: 'company',
      companyName,
      email: `${nl ? 'wagenpark' : 'fuhrpark'}@${domain}`,
      phone: this.landline(),
      address: this.address(),
      locale: nl ? 'nl' : 'de',
      contacts: [
        {
          firstName: manager.firstName,
          lastName: manager.lastName,
          email: `${slug(manager.firstName)}.${slug(manager.lastName)}@${domain}`,
          phone: this.mobile(),
          role: 'fleet manager',
        },
      ],
    };
    this.customers.push({ externalId, data: withoutUndefined(customer) });
    // A fleet is bought in one or two batches, mostly of one brand, so its cars fall due together.
    const size = this.random.int(3, 10);
    const mainBrand = this.random.pick(this.brands);
    const batches = size >= 6 && this.random.chance(0.5) ? 2 : 1;
    const vehicles: string[] = [];
    for (let batch = 0; batch < batches; batch++) {
      const due = this.random.int(1, 340);
      const inBatch = batch === 0 ? Math.ceil(size / batches) : size - vehicles.length;
      for (let i = 0; i < inBatch; i++) {
        const brand = this.random.chance(0.8) ? mainBrand : this.random.pick(this.brands);
        vehicles.push(this.vehicle(externalId, brand, true, Math.min(365, due + this.random.int(0, 20))));
      }
    }
    this.fleetConsents(externalId, vehicles);
  }

  // --- vehicles

  /** Years from registration to an inspection: the periodic inspection falls on that anniversary. */
  private inspectionAge(brand: BrandSpec, fleet: boolean): number {
    if (this.spec.country === 'DE') {
      // HU: first after three years, then every two.
      return fleet ? this.random.weighted([[3, 4], [5, 1]] as const) : this.random.weighted([[3, 6], [5, 5], [7, 4], [9, 3], [11, 2], [13, 1]] as const);
    }
    // APK: petrol cars after four years, then six and eight, then yearly; diesel and electric after three, then yearly.
    const petrol = !brand.electric && this.random.chance(0.8);
    if (fleet) return petrol ? 4 : this.random.pick([3, 4]);
    return petrol
      ? this.random.weighted([[4, 5], [6, 5], [8, 4], [9, 3], [10, 3], [11, 2], [12, 2], [13, 1], [14, 1]] as const)
      : this.random.weighted([[3, 5], [4, 4], [5, 4], [6, 3], [7, 3], [8, 2], [9, 2], [10, 1]] as const);
  }

  private vehicle(customerExternalId: string, brand: BrandSpec, fleet: boolean, dueInDays?: number): string {
    const externalId = `V-${this.number}${String(++this.vehicleSeq).padStart(5, '0')}`;
    const models = brand.models.filter((m) => !fleet || m.fleet);
    const model = this.random.pick(models);
    const inspectionDueDate = addDays(this.today, dueInDays ?? this.random.int(1, 365));
    const registrationDate = addYears(inspectionDueDate, -this.inspectionAge(brand, fleet));
    const ageDays = daysBetween(registrationDate, this.today);
    const kmPerYear = fleet ? this.random.int(25_000, 45_000) : this.random.int(8_000, 22_000);
    const extension = this.random.chance(0.15) ? this.random.int(1, 3) : 0;
    const vehicle: VehicleDto = {
      customerExternalId,
      brandId: brand.key,
      model: model.name,
      licensePlate: this.plate(registrationDate, brand),
      vin: this.vin(brand, model.code, Number(registrationDate.slice(0, 4))),
      registrationDate,
      inspectionDueDate,
      // Serviced about yearly; a few are overdue.
      nextServiceDate: addDays(this.today, this.random.int(-45, 365)),
      mileageKm: Math.round((ageDays / 365) * kmPerYear),
      warrantyEndDate: addYears(registrationDate, brand.warrantyYears + extension),
    };
    this.vehicles.push({ externalId, data: vehicle });
    return externalId;
  }

  private plate(registrationDate: string, brand: BrandSpec): string {
    for (;;) {
      const plate = this.spec.country === 'NL' ? this.dutchPlate(Number(registrationDate.slice(0, 4))) : this.germanPlate(brand);
      const key = plate.replace(/[\s-]/g, '');
      if (!this.plates.has(key) && !UNISSUED_PLATE.test(plate)) {
        this.plates.add(key);
        return plate;
      }
    }
  }

  /** The Dutch side code in use in the year of first registration. */
  private dutchPlate(year: number): string {
    const l = (n: number) => this.plateRandom.chars(n, NL_PLATE_LETTERS);
    const d = (n: number) => this.plateRandom.chars(n, '0123456789');
    if (year < 2013) return `${d(2)}-${l(3)}-${d(1)}`;
    if (year < 2015) return `${d(1)}-${l(3)}-${d(2)}`;
    if (year < 2019) return `${l(2)}-${d(3)}-${l(1)}`;
    if (year < 2021) return `${l(1)}-${d(3)}-${l(2)}`;
    return `${l(3)}-${d(2)}-${l(1)}`;
  }

  /** District, one or two letters, up to four digits, eight characters at most; E for electric cars. */
  private germanPlate(brand: BrandSpec): string {
    const random = this.plateRandom;
    const district = random.weighted(this.spec.places.map((p) => [p.district!, p.weight] as const));
    const letters = random.chars(random.int(1, 2), DE_PLATE_LETTERS);
    const digits = random.number(random.int(1, Math.min(4, 8 - district.length - letters.length)));
    return `${district}-${letters} ${digits}${brand.electric ? 'E' : ''}`;
  }

  private vin(brand: BrandSpec, modelCode: string, year: number): string {
    const serial = (this.serials.get(brand.key) ?? this.random.int(100_000, 400_000)) + this.random.int(1, 40);
    this.serials.set(brand.key, serial);
    const descriptor = `${modelCode}${this.random.chars(3, VIN_CHARS)}`;
    const plant = this.random.pick(['A', 'B', 'K']);
    const draft = `${brand.wmi}${descriptor}0${modelYearCode(year)}${plant}${String(serial).padStart(6, '0')}`;
    return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
  }

  // --- consent ledger

  /** The privacy notice in force on `day`. */
  private notice(day: string): string {
    return day >= '2024-01-01' ? 'privacy-2024-01' : day >= '2021-03-01' ? 'privacy-2021-03' : 'privacy-2018-05';
  }

  private consent(customerExternalId: string, statement: Omit<ConsentRow, 'customerExternalId'>): void {
    this.consents.push({ externalId: customerExternalId, data: withoutUndefined({ customerExternalId, ...statement }) });
  }

  /**
   * Most customers came in with the DMS, agreeing to service messages on any channel; about a third
   * of those with an email address also opted in to marketing, and some took that back later. A few
   * want no service email (letters only) and some asked for SMS reminders at the service desk.
   */
  private personConsents(customerExternalId: string, customer: CustomerDto, vehicles: string[]): void {
    const since = this.customerSince();
    if (!this.random.chance(0.92)) return;
    this.consent(customerExternalId, { channel: 'all', purpose: 'service', granted: true, source: 'dms-import', at: this.moment(since) });
    if (customer.email && this.random.chance(0.35)) {
      const viaCenter = this.random.chance(0.5);
      const optIn = viaCenter ? this.laterDay(since, 30) : since;
      this.consent(customerExternalId, {
        channel: 'email', purpose: 'marketing', granted: true, source: viaCenter ? 'preference-center' : 'dms-import',
        at: this.moment(optIn), noticeVersion: viaCenter ? this.notice(optIn) : undefined,
      });
      if (this.random.chance(0.25)) {
        const withdrawn = this.laterDay(optIn);
        this.consent(customerExternalId, {
          channel: 'email', purpose: 'marketing', granted: false, source: 'preference-center',
          at: this.moment(withdrawn), noticeVersion: this.notice(withdrawn),
        });
      }
    }
    if (customer.email && this.random.chance(0.04)) {
      const objected = this.laterDay(since);
      this.consent(customerExternalId, {
        channel: 'email', purpose: 'service', granted: false, source: 'preference-center',
        at: this.moment(objected), noticeVersion: this.notice(objected),
      });
    }
    if (customer.phone?.match(/^\+(316|491[5-7])/) && this.random.chance(0.3)) {
      this.consent(customerExternalId, {
        channel: 'sms', purpose: 'service', granted: true, source: 'service-desk', at: this.moment(this.laterDay(since)),
        vehicleExternalId: vehicles.length > 1 && this.random.chance(0.5) ? vehicles[0] : undefined,
      });
    }
  }

  /**
   * The fleet manager agreed to service messages for the whole fleet; some cars are maintained
   * through their lease company (no reminders for that car) and some drivers get SMS for theirs.
   */
  private fleetConsents(customerExternalId: string, vehicles: string[]): void {
    const since = this.customerSince();
    this.consent(customerExternalId, { channel: 'all', purpose: 'service', granted: true, source: 'dms-import', at: this.moment(since) });
    for (const vehicleExternalId of vehicles) {
      const roll = this.random.next();
      if (roll >= 0.4) continue;
      const day = this.laterDay(since);
      this.consent(customerExternalId, {
        ...(roll < 0.15 ? ({ channel: 'all', granted: false } as const) : ({ channel: 'sms', granted: true } as const)),
        purpose: 'service', source: 'preference-center', vehicleExternalId, at: this.moment(day), noticeVersion: this.notice(day),
      });
    }
    if (this.random.chance(0.3)) {
      this.consent(customerExternalId, {
        channel: 'email', purpose: 'marketing', granted: true, source: 'dms-import', at: this.moment(since),
      });
    }
  }

  // --- appointments

  private appointment(vehicleExternalId: string, type: AppointmentDto['type'], day: string, status: AppointmentDto['status']): void {
    // Workshop slots every half hour from 7:30 to 16:30.
    const minutes = 7 * 60 + 30 + 30 * this.random.int(0, 18);
    const externalId = `A-${this.number}${String(this.appointments.length + 1).padStart(5, '0')}`;
    this.appointments.push({ externalId, data: { vehicleExternalId, type, startsAt: localInstant(day, minutes, this.timezone), status } });
  }

  /**
   * A third of the cars due for inspection in the next six weeks are already booked before their
   * due date; a few services are booked in the coming weeks, some were cancelled, and recent visits
   * are done.
   */
  private bookAppointments(): void {
    for (const { externalId, data } of this.vehicles) {
      const dueIn = daysBetween(this.today, data.inspectionDueDate!);
      if (dueIn > 42 || dueIn < 5 || !this.random.chance(0.33)) continue;
      const day = workingDayBefore(addDays(this.today, this.random.int(3, dueIn - 1)));
      if (day > this.today) this.appointment(externalId, 'inspection', day, 'booked');
    }
    const pick = () => this.random.pick(this.vehicles).externalId;
    for (let i = 0; i < 6; i++) this.appointment(pick(), this.random.pick(['service', 'service', 'repair'] as const), workingDay(addDays(this.today, this.random.int(2, 28))), 'booked');
    for (let i = 0; i < 2; i++) this.appointment(pick(), 'service', workingDay(addDays(this.today, this.random.int(3, 21))), 'cancelled');
    for (let i = 0; i < 15; i++) {
      const type = this.random.weighted([['service', 6], ['inspection', 3], ['repair', 2], ['other', 1]] as const);
      this.appointment(pick(), type, workingDayBefore(addDays(this.today, -this.random.int(3, 180))), 'done');
    }
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The demo network "Demo Motor Group": three brands, four dealers in the Netherlands and Germany
 * with about a thousand customers, their cars, consent ledger and appointments, and the demo logins.
 * The same `today` gives the same network; another day gives the same people and cars, with every
 * date (inspections, birthdays, appointments) moved along so the demo always has work coming up.
 */
export function generateDemoNetwork(today: string): DemoNetwork {
  return {
    name: DEMO_NETWORK_NAME,
    today,
    brands: BRANDS.map(({ key, name, theme }) => ({ key, name, theme: { ...theme } })),
    dealers: DEALERS.map((spec, i) =>
      new DataRoomGenerator(spec, i + 1, today, new Random(DEMO_SEED + i), new Random(DEMO_SEED + 100 + i)).generate(),
    ),
    users: USERS.map((user) => ({ ...user })),
  };
}
