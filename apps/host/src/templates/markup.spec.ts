import { fillSlots, lockedDifference, markedSlots, normaliseLiquid, sanitiseMarkup, sanitiseRichText, slotContents, textSlotHtml } from './markup';

const MJML = `<mjml><mj-body><mj-section><mj-column>
<mj-text mj-class="fc-heading">Hello {{ customer.firstName }}</mj-text>
<mj-text css-class="intro fc-slot-signature">Kind regards,<br />{{ dealer.name }}</mj-text>
<mj-image css-class="fc-slot-hero" src="https://cdn.test/a.png" />
<mj-button href="{{ links.booking }}">Book</mj-button>
</mj-column></mj-section></mj-body></mjml>`;

describe('template markup', () => {
  it('turns entities inside Liquid back into characters and leaves the rest alone', () => {
    expect(normaliseLiquid('{% if a &gt; 1 and b &lt; 2 %}a &gt; b{% endif %}{{ x | append: &quot;y&quot; }}')).toBe('{% if a > 1 and b < 2 %}a &gt; b{% endif %}{{ x | append: "y" }}');
  });

  it('takes out script elements, handlers, script URLs and script-running CSS, keeping clean markup byte for byte', () => {
    expect(sanitiseMarkup('mjml', MJML)).toEqual({ body: MJML, removed: [] });
    const dirty = `<p style="color:red">ok</p><script>x()</script><a href=" java\tscript:alert(1)" onclick="y()">a</a><img src="data:text/html,x"><img src="data:image/png;base64,AAAA"><div style="background:url(javascript:z)">d</div><iframe src="https://x"></iframe>`;
    const { body, removed } = sanitiseMarkup('html', dirty);
    expect(body).toBe('<p style="color:red">ok</p><a>a</a><img><img src="data:image/png;base64,AAAA"><div>d</div>');
    expect(removed).toEqual(['script', 'href on a', 'onclick on a', 'src on img', 'style on div', 'iframe']);
    expect(sanitiseMarkup('text', 'Hi {{ a }} <script>')).toEqual({ body: 'Hi {{ a }} <script>', removed: [] });
  });

  it('keeps a few inline tags in rich text, and links only to http(s), mailto and tel', () => {
    expect(sanitiseRichText('<p class="x" style="y">Hi <b>there</b> <a href="https://a.test" target="_blank">a</a> <a href="javascript:x">b</a><font>wrapped</font><script>gone()</script></p>')).toBe(
      '<p>Hi <b>there</b> <a href="https://a.test">a</a> <a>b</a>wrapped</p>',
    );
    expect(textSlotHtml('a < b & "c"\n{{ dealer.name }} [[ theme.x ]]')).toBe('a &lt; b &amp; &quot;c&quot;<br />{{ dealer.name }} &#91;&#91; theme.x ]]');
  });

  it('finds marked slots, reads their content and fills in a dealer’s values', () => {
    expect(markedSlots('mjml', MJML)).toEqual(['signature', 'hero']);
    expect(slotContents('mjml', MJML)).toEqual({ signature: 'Kind regards,<br>{{ dealer.name }}', hero: 'https://cdn.test/a.png' });
    const filled = fillSlots('mjml', MJML, { signature: 'Team <b>North</b>', hero: 'https://cdn.test/b.png' });
    expect(slotContents('mjml', filled)).toEqual({ signature: 'Team <b>North</b>', hero: 'https://cdn.test/b.png' });
    expect(filled).toContain('Hello {{ customer.firstName }}');
    expect(fillSlots('mjml', MJML, {})).toBe(MJML);
    expect(markedSlots('html', '<p data-slot="signature">x</p>')).toEqual(['signature']);
  });

  it('names the first locked component a dealer changed, and lets slot changes through', () => {
    const open = new Set(['signature', 'hero']);
    expect(lockedDifference('mjml', MJML, fillSlots('mjml', MJML, { signature: 'Mine', hero: 'https://x.test/i.png' }), open)).toBeUndefined();
    expect(lockedDifference('mjml', MJML, MJML.replace('>Book<', '>Buy now<'), open)).toMatch(/text in component .*mj-button 1/);
    expect(lockedDifference('mjml', MJML, MJML.replace('<mj-button', '<mj-button color="red"'), open)).toMatch(/mj-button 1 has changed attributes/);
    expect(lockedDifference('mjml', MJML, MJML.replace(/<mj-text mj-class="fc-heading">.*?<\/mj-text>/, ''), open)).toMatch(/removed|replaced|changed/);
    expect(lockedDifference('mjml', MJML, fillSlots('mjml', MJML, { signature: 'Mine' }), new Set(['hero']))).toMatch(/intro fc-slot-signature/);
  });
});
