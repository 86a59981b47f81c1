import { countSegments } from './segments';

describe('countSegments', () => {
  it('counts plain GSM-7 text one septet per character', () => {
    expect(countSegments('Uw auto moet op 15-01 voor de APK. Bel ons: 030-1234567!')).toEqual({ encoding: 'GSM-7', units: 56, segments: 1 });
    expect(countSegments('Grüße: ÄÖÜäöüñÑàèéùìòÇØøÅåÆæßÉ ΔΦΓΛΩΠΨΣΘΞ _@£$¥§¿¡\n\r')).toEqual({ encoding: 'GSM-7', units: 52, segments: 1 });
  });

  it('has no segments for an empty text', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });

  it('fits 160 GSM-7 characters in one SMS and splits 161 into two parts of at most 153', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(countSegments('a'.repeat(307))).toEqual({ encoding: 'GSM-7', units: 307, segments: 3 });
  });

  it('counts characters of the extension table (€ [ ] { } ^ ~ | \\ and form feed) twice', () => {
    for (const char of ['€', '[', ']', '{', '}', '^', '~', '|', '\\', '\f']) {
      expect(countSegments(char)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    }
    expect(countSegments('Prijs: €25 [incl. btw]')).toEqual({ encoding: 'GSM-7', units: 25, segments: 1 });
    expect(countSegments(`${'a'.repeat(158)}€`)).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('never splits an escape pair across parts', () => {
    // 152 septets, then € (2) would straddle the 153rd septet: it moves to the second part.
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
    expect(countSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  it('turns the whole message into UCS-2 for one character outside GSM-7, such as an emoji or a curly quote', () => {
    expect(countSegments('Tot morgen 🚗')).toEqual({ encoding: 'UCS-2', units: 13, segments: 1 });
    expect(countSegments('Don’t forget')).toEqual({ encoding: 'UCS-2', units: 12, segments: 1 });
    expect(countSegments('Grüße aus Köln — bis bald')).toMatchObject({ encoding: 'UCS-2', units: 25 });
    expect(countSegments('Señor García')).toMatchObject({ encoding: 'UCS-2' });
    expect(countSegments('Ваш автомобиль')).toEqual({ encoding: 'UCS-2', units: 14, segments: 1 });
    // € is in the GSM-7 extension table but takes one code unit in UCS-2.
    expect(countSegments('€ 🙂')).toEqual({ encoding: 'UCS-2', units: 4, segments: 1 });
  });

  it('fits 70 UCS-2 code units in one SMS and splits 71 into parts of at most 67', () => {
    expect(countSegments(`${'a'.repeat(69)}ж`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`${'a'.repeat(70)}ж`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('ж'.repeat(134))).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(countSegments('ж'.repeat(135))).toEqual({ encoding: 'UCS-2', units: 135, segments: 3 });
  });

  it('counts an emoji as two code units and never splits it across parts', () => {
    expect(countSegments('🚗'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('🚗'.repeat(36))).toEqual({ encoding: 'UCS-2', units: 72, segments: 2 });
    // 66 units, then an emoji (2) would straddle the 67th unit: it starts the second part.
    expect(countSegments(`${'ж'.repeat(66)}🚗${'ж'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(countSegments(`${'ж'.repeat(65)}🚗${'ж'.repeat(67)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
  });
});
