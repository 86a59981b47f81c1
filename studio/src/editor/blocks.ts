import type { Editor } from 'grapesjs';

/** Block ids, for tests and for picking a subset. */
export const BLOCK_IDS = {
  header: 'fc-header-logo',
  hero: 'fc-hero',
  text: 'fc-text',
  button: 'fc-button',
  vehicles: 'fc-vehicle-table',
  appointment: 'fc-appointment',
  signature: 'fc-signature',
  openingHours: 'fc-opening-hours',
  footer: 'fc-footer',
} as const;

const CATEGORY = { layout: 'Layout', content: 'Content', dealer: 'Dealer' };

/** Rows of the vehicle table: one per vehicle, so a fleet gets them all. */
const VEHICLE_ROWS =
  '<tr class="fc-row"><th class="fc-cell">Registration</th><th class="fc-cell">Vehicle</th><th class="fc-cell">Due by</th></tr>' +
  '{% for v in vehicles %}<tr class="fc-row"><td class="fc-cell">{{ v.plate }}</td><td class="fc-cell">{{ v.brand }} {{ v.model }}</td>' +
  '<td class="fc-cell">{{ v.inspectionDueDate | format_date }}</td></tr>{% endfor %}';

/**
 * The house blocks, in MJML with the theme's classes (`fc-header`, `fc-heading`, `fc-accent`) and
 * `[[ theme.* ]]` tokens, so whatever is built from them wears every brand's theme. Section blocks
 * go into the body; the others into a column.
 */
export function loadBlocks(editor: Editor): void {
  const blocks = editor.Blocks;
  blocks.add(BLOCK_IDS.header, {
    label: 'Header and logo',
    category: CATEGORY.layout,
    content: `<mj-section mj-class="fc-header" padding="20px 24px"><mj-column><mj-image src="[[ theme.logoUrl ]]" alt="[[ theme.brandName ]]" width="150px" align="left" /></mj-column></mj-section>`,
  });
  blocks.add(BLOCK_IDS.hero, {
    label: 'Hero',
    category: CATEGORY.layout,
    content:
      `<mj-section mj-class="fc-accent" padding="32px 24px"><mj-column>` +
      `<mj-text mj-class="fc-heading" font-size="28px" line-height="34px" padding="0px 0px 12px">A headline that says it all</mj-text>` +
      `<mj-text padding="0px 0px 16px">One or two sentences that make {{ customer.firstName | default: "you" }} want to read on.</mj-text>` +
      `<mj-button href="{{ links.booking }}" align="left" border-radius="6px">Book an appointment</mj-button>` +
      `</mj-column></mj-section>`,
  });
  blocks.add(BLOCK_IDS.text, {
    label: 'Text',
    category: CATEGORY.content,
    content: `<mj-text>{{ customer.salutation }}, write your message here.</mj-text>`,
  });
  blocks.add(BLOCK_IDS.button, {
    label: 'Button',
    category: CATEGORY.content,
    content: `<mj-button href="{{ links.booking }}" font-size="16px" font-weight="600" border-radius="6px" inner-padding="14px 28px" padding="16px 24px 20px" align="left">Book an appointment</mj-button>`,
  });
  blocks.add(BLOCK_IDS.vehicles, {
    label: 'Vehicle table',
    category: CATEGORY.content,
    // A definition, not markup: the HTML parser would drop the rows (see mjml-document.ts).
    content: { type: 'mj-table', raw: VEHICLE_ROWS, attributes: { 'css-class': 'fc-vehicles', padding: '12px 24px', width: '100%' } },
  });
  blocks.add(BLOCK_IDS.appointment, {
    label: 'Appointment details',
    category: CATEGORY.content,
    content: `<mj-text>{% if appointment.startsAt %}Your appointment: <strong>{{ appointment.startsAt | format_datetime }}</strong> at {{ dealer.name }}{% if dealer.address.street %}, {{ dealer.address.street }}, {{ dealer.address.city }}{% endif %}.{% endif %}</mj-text>`,
  });
  blocks.add(BLOCK_IDS.signature, {
    label: 'Dealer signature',
    category: CATEGORY.dealer,
    content: `<mj-text padding="16px 24px 24px">Kind regards,<br />{{ dealer.signature }}{% if dealer.phone %}<br />{{ dealer.phone }}{% endif %}{% if dealer.email %}<br /><a href="mailto:{{ dealer.email }}">{{ dealer.email }}</a>{% endif %}</mj-text>`,
  });
  blocks.add(BLOCK_IDS.openingHours, {
    label: 'Opening hours',
    category: CATEGORY.dealer,
    content: `<mj-text font-size="14px"><strong>Opening hours</strong><br />Monday to Friday 08:00–18:00<br />Saturday 09:00–13:00</mj-text>`,
  });
  blocks.add(BLOCK_IDS.footer, {
    label: 'Footer',
    category: CATEGORY.layout,
    content:
      `<mj-section padding="16px 24px 32px"><mj-column>` +
      `<mj-text css-class="fc-footer" font-size="12px" line-height="18px" color="#57606a" padding="0px">[[ theme.footerHtml ]]</mj-text>` +
      `<mj-text css-class="fc-footer" font-size="12px" line-height="18px" color="#57606a" padding="8px 0px 0px">You receive this email because you are a customer of {{ dealer.name }}. <a href="{{ links.preferences }}">Manage your preferences</a> · <a href="{{ links.unsubscribe }}">Unsubscribe</a></mj-text>` +
      `</mj-column></mj-section>`,
  });
}
