import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AccessPolicy } from '../auth/access.policy';
import { Principal } from '../auth/principal';
import { TemplateProblem } from './template-check';
import { ValidationProblem } from '../common/problem';
import { TenantDb } from '../database/tenant-db.service';
import { createLiquid } from '../rendering/liquid.engine';
import { DbTemplateSource } from './db-template.source';
import { lockedDifference, sanitiseRichText, slotContents, SlotDefinition } from './markup';
import { DealerSlotsDto } from './template.dto';
import { TemplatesService } from './templates.service';

const liquid = createLiquid('html');
const IMAGE_URL = /^(https?:\/\/\S+|data:image\/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=]+)$/i;

/**
 * A dealer's content in the slots a brand opened in a master. Values are kept per dealer and
 * template in the dealer's data room, checked against the published version's slot
 * definitions, and take effect in the dealer's next messages at once.
 */
@Injectable()
export class DealerSlotsService {
  constructor(
    private readonly templates: TemplatesService,
    private readonly access: AccessPolicy,
    private readonly tenants: TenantDb,
    private readonly source: DbTemplateSource,
  ) {}

  async get(principal: Principal, dealerId: string, templateId: string) {
    this.assertDealer(principal, dealerId, 'read');
    const { template, slots, body } = await this.published(principal, templateId);
    const values = await this.stored(dealerId, templateId);
    const defaults = slotContents(template.format, body);
    return {
      templateId,
      slots,
      values: Object.fromEntries(slots.filter((s) => values[s.name] !== undefined).map((s) => [s.name, values[s.name]])),
      defaults: Object.fromEntries(slots.map((s) => [s.name, defaults[s.name] ?? ''])),
    };
  }

  /**
   * Sets the named slots (an empty value or null returns one to the brand's content; slots not
   * named keep theirs). With `body`, the dealer's whole editor document: refused when anything
   * outside the open slots differs from the brand's published version.
   */
  async put(principal: Principal, dealerId: string, templateId: string, dto: DealerSlotsDto) {
    this.assertDealer(principal, dealerId, 'update');
    const { template, slots, body } = await this.published(principal, templateId);
    const open = new Set(slots.map((s) => s.name));
    const given: Record<string, unknown> = {};
    if (dto.body !== undefined) {
      const difference = lockedDifference(template.format, body, dto.body, open);
      if (difference) throw new ForbiddenException(`${difference}: only the slots the brand opened (${[...open].join(', ') || 'none'}) may be changed`);
      const defaults = slotContents(template.format, body);
      for (const [name, value] of Object.entries(slotContents(template.format, dto.body))) {
        if (open.has(name)) given[name] = value === defaults[name] ? null : value;
      }
    }
    Object.assign(given, dto.slots ?? {});
    if (!Object.keys(given).length) throw new ValidationProblem([{ field: 'slots', message: 'name at least one slot, or send the whole document as body' }]);
    const changes = checkSlotValues(slots, given);
    await this.tenants.run(dealerId, async (m) => {
      const [row] = await m.query('SELECT "values" FROM dealer_template_slots WHERE dealer_id = $1 AND template_id = $2 FOR UPDATE', [dealerId, templateId]);
      const values: Record<string, string> = { ...(row?.values ?? {}) };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete values[name];
        else values[name] = value;
      }
      await m.query(
        `INSERT INTO dealer_template_slots (dealer_id, template_id, "values", updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (dealer_id, template_id) DO UPDATE SET "values" = EXCLUDED."values", updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [dealerId, templateId, JSON.stringify(values), principal.label],
      );
    });
    this.source.invalidate();
    return this.get(principal, dealerId, templateId);
  }

  /** The dealer's saved values (already checked), for previews. */
  async stored(dealerId: string, templateId: string): Promise<Record<string, string>> {
    return this.tenants.run(dealerId, async (m) => {
      const [row] = await m.query('SELECT "values" FROM dealer_template_slots WHERE dealer_id = $1 AND template_id = $2', [dealerId, templateId]);
      return (row?.values ?? {}) as Record<string, string>;
    });
  }

  private async published(principal: Principal, templateId: string) {
    const template = await this.templates.readable(principal, templateId);
    if (template.published_version === null || template.p_body === null) throw new NotFoundException('template not found: it has not been published');
    return { template, slots: template.p_slots ?? [], body: template.p_body };
  }

  /** Another dealer's slots do not exist for this caller (404); roles without slots get 403. */
  private assertDealer(principal: Principal, dealerId: string, action: 'read' | 'update'): void {
    if (this.access.can(principal, action, 'TemplateSlots', { dealerId })) return;
    if (!this.access.can(principal, 'read', 'TemplateSlots')) throw new ForbiddenException(`a ${principal.role} has no dealer slots`);
    if (principal.dealerId !== dealerId) throw new NotFoundException('dealer not found');
    throw new ForbiddenException(`a ${principal.role} may not change the dealer's slots`);
  }
}

/**
 * Slot values as given → as stored (null: back to the brand's content). A slot the brand did not
 * open is refused with 403 naming it; a value that does not fit its slot with 400 naming the field.
 */
export function checkSlotValues(definitions: SlotDefinition[], given: Record<string, unknown>): Record<string, string | null> {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const closed = Object.keys(given).filter((name) => !byName.has(name));
  if (closed.length) {
    throw new ForbiddenException(`slots.${closed[0]}: the brand has not opened a slot "${closed[0]}" in this template (open: ${definitions.map((d) => d.name).join(', ') || 'none'})`);
  }
  const problems: TemplateProblem[] = [];
  const out: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(given)) {
    const d = byName.get(name)!;
    const field = `slots.${name}`;
    if (raw === null || raw === '') {
      out[name] = null;
      continue;
    }
    if (typeof raw !== 'string') {
      problems.push({ field, message: 'must be text' });
      continue;
    }
    let value = raw.trim();
    if (d.kind === 'image') {
      if (!IMAGE_URL.test(value)) problems.push({ field, message: 'must be an http(s) URL or a data:image/png, jpeg, gif or webp URL' });
    } else {
      if (d.kind === 'rich-text') value = sanitiseRichText(value);
      const length = (d.kind === 'rich-text' ? value.replace(/<[^>]*>/g, '') : value).length;
      if (d.maxLength && length > d.maxLength) problems.push({ field, message: `is ${length} characters long; this slot takes at most ${d.maxLength}` });
      try {
        liquid.parse(value);
      } catch (error) {
        problems.push({ field, message: `merge fields do not parse: ${(error as Error).message}` });
      }
    }
    out[name] = value;
  }
  if (problems.length) throw new ValidationProblem(problems);
  return out;
}
