import { Drop, Liquid } from 'liquidjs';
import { compileLiquid } from './liquid.compiler';
import { createLiquid } from './liquid.engine';

const html = createLiquid('html');
const text = createLiquid('text');

const people = [
  { name: 'Anna <de> "Vries"', age: 41, tags: ['vip', 'fleet'], address: { city: "Den Haag & 's-Gravenzande" } },
  { name: 'Piet', age: 0, tags: [], address: null },
];
const DATA: Record<string, unknown>[] = [
  {
    customer: { name: 'Anna & Co <b>', firstName: 'Anna', kind: 'person', salutation: 'Beste Anna' },
    vehicles: [
      { plate: 'AB-12-CD', model: 'One', inspectionDueDate: '2027-01-15' },
      { plate: 'VX-001-A', model: 'Cargo "L"', inspectionDueDate: '2027-02-01' },
    ],
    vehicle: { plate: 'AB-12-CD', model: 'One', inspectionDueDate: '2027-01-15' },
    appointment: { startsAt: '2027-01-05T08:30:00Z' },
    people,
    map: { a: 1, b: 'two' },
    key: 'b',
    index: 1,
    count: 3,
    zero: 0,
    empty: '',
    blankish: '   ',
    flag: false,
    nothing: null,
    html: '<i>x</i>',
    locale: 'nl',
    timezone: 'Europe/Amsterdam',
    links: { booking: 'https://book.example.test/?a=1&b=2' },
  },
  { customer: {}, vehicles: [], vehicle: null, appointment: null, people: [], map: {}, count: '3', locale: 'de', timezone: 'Europe/Berlin' },
  {},
  {
    // Values merge data from JSON never has, read as LiquidJS reads them.
    fn: function (this: unknown) {
      return `called on ${typeof this}`;
    },
    holder: { method: () => 'a method', size: 7, first: 'own first', toLiquid: 'not a function' },
    liq: { toLiquid: () => ({ a: 'via toLiquid' }) },
    drop: new (class extends Drop {
      name = 'a drop';
      liquidMethodMissing(key: unknown) {
        return `missing ${String(key)}`;
      }
    })(),
    bare: Object.assign(Object.create(null), { a: 'no prototype' }),
    inherited: Object.create({ a: 'from the prototype' }),
  },
];

/** Templates the compiler takes on: everything master templates use, and the corners of it. */
const COMPILED = [
  'plain text, no Liquid',
  '{{ customer.name }}|{{ customer.firstName }}|{{ customer.missing }}|{{ missing.deeper.still }}',
  '{{ vehicles[0].plate }} {{ vehicles[1]["model"] }} {{ map[key] }} {{ vehicles[index].plate }} {{ vehicles[-1].plate }}',
  '{{ vehicles.size }} {{ vehicles.first.plate }} {{ vehicles.last.plate }} {{ customer.name.size }} {{ map.size }} {{ people.first.tags.last }}',
  '{{ nil }}|{{ true }}|{{ false }}|{{ 1.5 }}|{{ -2 }}|{{ "quoted" }}|{{ \'single\' }}|{{ empty }}|{{ blank }}',
  '{{ people.first.tags }}|{{ map }}|{{ people }}|{{ zero }}|{{ flag }}|{{ nothing }}',
  '{{ html }}|{{ html | raw }}|{{ html | escape }}|{{ customer.name | upcase | append: "!" }}',
  '{{ vehicle.plate | default: "uw auto" }}|{{ empty | default: "leeg" }}|{{ flag | default: "x", allow_false: true }}|{{ nothing | default: 5 }}',
  '{{ vehicle.inspectionDueDate | format_date }}|{{ appointment.startsAt | format_datetime }}|{{ appointment.startsAt | format_date }}|{{ "nonsense" | format_date }}',
  '{{ "a,b,c" | split: "," | join: " - " }}|{{ customer.name | truncate: 6 }}|{{ count | plus: 2 }}|{{ count | times: 1.5 }}|{{ people | map: "name" | join: ", " }}',
  '{% if vehicles.size > 1 %}many{% elsif vehicles.size == 1 %}one{% else %}none{% endif %}',
  '{% if customer.kind == "company" and vehicles.size > 1 %}A{% elsif customer.kind != "company" or zero %}B{% endif %}',
  '{% if zero %}zero is truthy{% endif %}{% if empty %}"" is truthy{% endif %}{% if flag %}no{% else %}false is falsy{% endif %}{% if nothing %}no{% endif %}',
  '{% if empty == blank %}1{% endif %}{% if blankish == blank %}2{% endif %}{% if vehicles == empty %}3{% endif %}{% if nothing == nil %}4{% endif %}{% if missing == nil %}5{% endif %}{% if map != empty %}6{% endif %}',
  '{% if links.booking contains "http" %}web{% endif %}{% if people.first.tags contains "vip" %}vip{% endif %}{% if count >= 3 %}ge{% endif %}{% if count <= 2 %}le{% endif %}{% if count < "4" %}lt{% endif %}',
  '{% if not flag %}not{% endif %}{% if nil < 1 %}x{% endif %}{% if 2 > nil %}y{% endif %}',
  '{% unless flag %}u1{% endunless %}{% unless count %}no{% elsif zero %}u2{% else %}no{% endunless %}{% unless vehicles.size > 0 %}u3{% else %}u4{% endunless %}',
  '{% for v in vehicles %}{{ forloop.index }}/{{ forloop.length }} {{ v.plate }}{% if forloop.first %} first{% endif %}{% unless forloop.last %}, {% endunless %}{% else %}no vehicles{% endfor %}',
  '{% for v in vehicles %}{{ forloop.index0 }}{{ forloop.rindex }}{{ forloop.rindex0 }}{{ forloop }}{% endfor %}',
  '{% for p in people %}{% for t in p.tags %}[{{ p.name }}:{{ t }}:{{ forloop.index }}]{% endfor %}{% endfor %}',
  '{% for customer in people %}{{ customer.name }}/{% for customer in customer.tags %}{{ customer }}{% endfor %}/{{ customer.age }};{% endfor %}{{ customer.name }}|{{ forloop.index }}|{% for x in vehicles %}{{ forloop.index }}{% endfor %}',
  '{% for pair in map %}{{ pair[0] }}={{ pair[1] }};{% endfor %}{% for c in customer.name %}<{{ c }}>{% endfor %}{% for x in nothing %}x{% else %}none{% endfor %}',
  '{% comment %}{{ hidden }} {% if %}{% endcomment %}a{% # an inline comment %}b',
  'x  {%- if vehicles.size > 0 -%}  trimmed  {%- endif -%}  y {{- customer.firstName -}} z',
  '<a href="{{ links.booking }}">{{ customer.salutation }},</a>',
  '{{ fn }}|{{ holder.method }}|{{ holder.size }}|{{ holder.first }}|{{ holder.toLiquid }}|{{ liq.a }}|{{ drop.name }}|{{ drop.other }}|{{ bare.a }}|{{ inherited.a }}|{{ holder.constructor }}',
];

/** Templates left to LiquidJS: constructs the compiler does not cover. They must still render the same. */
const DELEGATED = [
  '{% assign x = customer.name | upcase %}{{ x }}',
  '{% capture c %}{{ count }}!{% endcapture %}{{ c }}',
  '{% case customer.kind %}{% when "person" %}P{% else %}?{% endcase %}',
  '{% for i in (1..3) %}{{ i }}{% endfor %}',
  '{% for v in vehicles limit: 1 %}{{ v.plate }}{% endfor %}',
  '{% for v in vehicles %}{{ v.plate }}{% break %}{% endfor %}',
  '{% cycle "a", "b" %}',
];

function both(engine: Liquid, source: string, data: Record<string, unknown>) {
  const parsed = engine.parse(source);
  const program = compileLiquid(engine, parsed);
  return { program, fast: program.render(data), slow: engine.renderSync(parsed, data) as string };
}

describe('compileLiquid', () => {
  it.each(COMPILED)('compiles %j and merges exactly as LiquidJS does', (source) => {
    for (const engine of [html, text]) {
      for (const data of DATA) {
        const { program, fast, slow } = both(engine, source, data);
        expect(program.compiled).toBe(true);
        expect(fast).toBe(slow);
      }
    }
  });

  it.each(DELEGATED)('leaves %j to LiquidJS, with the same result', (source) => {
    for (const data of DATA) {
      const { program, fast, slow } = both(html, source, data);
      expect(program.compiled).toBe(false);
      expect(program.reason).toBeTruthy();
      expect(fast).toBe(slow);
    }
  });

  it('escapes every output in the HTML engine and none in the text engine', () => {
    const data = { v: `<script>alert("x" + 'y')</script> & more` };
    expect(both(html, '{{ v }}', data).fast).toBe('&lt;script&gt;alert(&#34;x&#34; + &#39;y&#39;)&lt;/script&gt; &amp; more');
    expect(both(text, '{{ v }}', data).fast).toBe(data.v);
  });

  it('fails as LiquidJS fails: the same error for a filter that throws, and the limits hold', () => {
    const engine = createLiquid('text');
    engine.registerFilter('boom', () => {
      throw new Error('the filter broke');
    });
    const parsed = engine.parse('a{% if x %}{{ x | boom }}{% endif %}');
    const program = compileLiquid(engine, parsed);
    expect(program.compiled).toBe(true);
    expect(() => engine.renderSync(parsed, { x: 1 })).toThrow('the filter broke');
    expect(() => program.render({ x: 1 })).toThrow('the filter broke');
    expect(program.render({ x: false })).toBe('a');

    const huge = compileLiquid(html, html.parse('{% for a in list %}{% for b in list %}{{ text }}{% endfor %}{% endfor %}'));
    expect(huge.compiled).toBe(true);
    const list = Array.from({ length: 300 }, (_, i) => i);
    expect(() => huge.render({ list, text: 'x'.repeat(1000) })).toThrow(/memory alloc limit exceeded/);
  });

  it('keeps state a tag reads in the registers, out of the template’s reach', () => {
    const engine = new Liquid();
    engine.registerTag('secret', {
      render(ctx) {
        return String(ctx.getRegister('secret') ?? 'none');
      },
    });
    const program = compileLiquid(engine, engine.parse('{% secret %}|{{ secret }}'), {
      secret: () => (ctx, out) => {
        out.buffer += String(ctx.getRegister('secret') ?? 'none');
      },
    });
    expect(program.compiled).toBe(true);
    expect(program.render({}, { secret: 's3' })).toBe('s3|');
    expect(program.render({ secret: 'data' })).toBe('none|data');
  });
});
