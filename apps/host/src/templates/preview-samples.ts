import type { RenderDealer } from '../rendering/render-data';
import type { PreviewAddress } from './letter-page';

/** A made-up recipient for the studio's preview: a private customer or a fleet, in one language. */
export interface PreviewSample {
  key: string;
  label: string;
  locale: 'nl' | 'de' | 'en';
  fleet: boolean;
  /** Where a letter to this sample goes (the letter preview's envelope window). */
  address: PreviewAddress;
  /** Merge data as the planner writes it (customer, vehicles, appointment, dueDate, links); `brandId` is filled in per preview. */
  data: (brandId: string, today: Date) => Record<string, unknown>;
}

const day = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);

function person(key: string, locale: PreviewSample['locale'], label: string, first: string, last: string, plate: string, model: string, address: Omit<PreviewAddress, 'name'>): PreviewSample {
  return {
    key,
    label,
    locale,
    fleet: false,
    address: { name: `${first} ${last}`, ...address },
    data: (brandId, today) => ({
      customer: { externalId: 'SAMPLE-1', kind: 'person', name: `${first} ${last}`, firstName: first, lastName: last, companyName: null, contact: null },
      vehicles: [{ externalId: 'SAMPLE-V1', plate, model, brandId, inspectionDueDate: day(today, 42), nextServiceDate: day(today, 60), warrantyEndDate: day(today, 75), mileageKm: 48210 }],
      appointment: { startsAt: `${day(today, 7)}T08:30:00Z`, type: 'inspection' },
      dueDate: day(today, 42),
      links: { booking: 'https://booking.example/appointment', review: 'https://reviews.example/visit' },
    }),
  };
}

function fleet(key: string, locale: PreviewSample['locale'], label: string, company: string, contact: [string, string], plates: string[], address: Omit<PreviewAddress, 'name'>): PreviewSample {
  const models = ['Arno', 'Lago Station', 'Orbit Cargo'];
  return {
    key,
    label,
    locale,
    fleet: true,
    address: { name: company, ...address },
    data: (brandId, today) => ({
      customer: { externalId: 'SAMPLE-2', kind: 'company', name: company, firstName: null, lastName: null, companyName: company, contact: { firstName: contact[0], lastName: contact[1] } },
      vehicles: plates.map((plate, i) => ({
        externalId: `SAMPLE-V${i + 2}`,
        plate,
        model: models[i % models.length],
        brandId,
        inspectionDueDate: day(today, 30 + 10 * i),
        nextServiceDate: day(today, 50 + 10 * i),
        warrantyEndDate: day(today, 70 + 10 * i),
        mileageKm: 120_400 - 20_000 * i,
      })),
      appointment: null,
      dueDate: day(today, 30),
      links: { booking: 'https://booking.example/fleet' },
    }),
  };
}

/** A private customer and a fleet in each language the masters are written in. */
export const PREVIEW_SAMPLES: PreviewSample[] = [
  person('person-nl', 'nl', 'Private customer (nl)', 'Anna', 'de Vries', 'AB-123-C', 'Siena', { street: 'Lindenlaan 4', postalCode: '3511 AB', city: 'Utrecht' }),
  fleet('fleet-nl', 'nl', 'Fleet, three vehicles (nl)', 'Bouwbedrijf Jansen B.V.', ['Piet', 'Jansen'], ['VX-001-A', 'VX-002-B', 'VX-003-C'], { street: 'Industrieweg 22', postalCode: '5651 GH', city: 'Eindhoven' }),
  person('person-de', 'de', 'Private customer (de)', 'Jonas', 'Becker', 'K-JB 204', 'Fjell', { street: 'Rosenstraße 8', postalCode: '50667', city: 'Köln' }),
  fleet('fleet-de', 'de', 'Fleet, three vehicles (de)', 'Transport Meyer GmbH', ['Sabine', 'Meyer'], ['M-TM 11', 'M-TM 12', 'M-TM 13'], { street: 'Am Hafen 3', postalCode: '80331', city: 'München' }),
  person('person-en', 'en', 'Private customer (en)', 'Emma', 'Clarke', 'LK21 ABC', 'Siena', { street: '12 Mill Lane', postalCode: 'OX1 2JD', city: 'Oxford' }),
  fleet('fleet-en', 'en', 'Fleet, three vehicles (en)', 'Harbour Logistics Ltd', ['Tom', 'Reed'], ['LK21 FLT', 'LK22 FLT', 'LK23 FLT'], { street: 'Dock Road 7', postalCode: 'L3 4AA', city: 'Liverpool' }),
];

/** The dealer a preview shows when it names none. */
export function sampleDealer(locale: string): RenderDealer {
  const dealers: Record<string, RenderDealer> = {
    nl: { id: 'sample', name: 'Autobedrijf Voorbeeld', email: 'service@voorbeeld.example', phone: '+31 20 123 4567', address: { street: 'Stationsweg 12', postalCode: '1012 AB', city: 'Amsterdam', country: 'NL' }, senderName: 'Team Voorbeeld', timezone: 'Europe/Amsterdam' },
    de: { id: 'sample', name: 'Autohaus Muster', email: 'service@muster.example', phone: '+49 30 123456', address: { street: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'DE' }, senderName: 'Ihr Team vom Autohaus Muster', timezone: 'Europe/Berlin' },
    en: { id: 'sample', name: 'Sample Motors', email: 'service@sample-motors.example', phone: '+44 20 7946 0000', address: { street: '1 High Street', postalCode: 'SW1A 1AA', city: 'London', country: 'GB' }, senderName: 'The Sample Motors team', timezone: 'Europe/London' },
  };
  return dealers[locale] ?? dealers.en;
}

export interface MergeField {
  path: string;
  label: string;
  /** What the picker inserts. */
  liquid: string;
  example: string;
}

const field = (path: string, label: string, example: string, filter = ''): MergeField => ({ path, label, example, liquid: `{{ ${path}${filter ? ` | ${filter}` : ''} }}` });

/** The merge data every template gets (see render-data.ts), for the studio's merge-field picker. */
export const MERGE_FIELDS: { name: string; label: string; fields: MergeField[] }[] = [
  {
    name: 'customer',
    label: 'Customer',
    fields: [
      field('customer.salutation', 'Greeting line ("Dear Emma Clarke")', 'Dear Emma Clarke'),
      field('customer.name', 'Full name or company', 'Emma Clarke'),
      field('customer.firstName', 'First name', 'Emma'),
      field('customer.lastName', 'Last name', 'Clarke'),
      field('customer.companyName', 'Company (fleets)', 'Harbour Logistics Ltd'),
    ],
  },
  {
    name: 'vehicles',
    label: 'Vehicle (the first; fleets: use the vehicle table)',
    fields: [
      field('vehicle.plate', 'Registration', 'LK21 ABC'),
      field('vehicle.brand', 'Brand', 'Vela'),
      field('vehicle.model', 'Model', 'Siena'),
      field('vehicle.vin', 'VIN', 'WVWZZZ1JZXW000001'),
      field('vehicle.inspectionDueDate', 'Inspection due', '15 January 2027', 'format_date'),
      field('vehicle.nextServiceDate', 'Next service', '3 February 2027', 'format_date'),
      field('vehicle.warrantyEndDate', 'Warranty ends', '1 March 2027', 'format_date'),
      field('vehicle.mileageKm', 'Mileage (km)', '48210'),
      field('vehicles.size', 'Number of vehicles', '3'),
    ],
  },
  {
    name: 'dealer',
    label: 'Dealer',
    fields: [
      field('dealer.name', 'Name', 'Sample Motors'),
      field('dealer.signature', 'Sender name', 'The Sample Motors team'),
      field('dealer.phone', 'Phone', '+44 20 7946 0000'),
      field('dealer.email', 'Email', 'service@sample-motors.example'),
      field('dealer.address.street', 'Street', '1 High Street'),
      field('dealer.address.postalCode', 'Postal code', 'SW1A 1AA'),
      field('dealer.address.city', 'City', 'London'),
    ],
  },
  {
    name: 'appointment',
    label: 'Appointment',
    fields: [field('appointment.startsAt', 'Date and time', '30 November 2026, 09:30', 'format_datetime'), field('appointment.type', 'Kind', 'inspection')],
  },
  {
    name: 'links',
    label: 'Links',
    fields: [
      field('links.booking', 'Book an appointment', 'https://booking.example/appointment'),
      field('links.preferences', 'Preference center', 'https://forecourt.example/p/…'),
      field('links.unsubscribe', 'Unsubscribe', 'https://forecourt.example/p/…?unsubscribe=1'),
      field('links.review', 'Review (post-visit)', 'https://reviews.example/visit'),
    ],
  },
  { name: 'brand', label: 'Brand', fields: [field('brand.name', 'Name', 'Vela')] },
  { name: 'occasion', label: 'Occasion', fields: [field('dueDate', 'The day it is about', '15 January 2027', 'format_date')] },
];
