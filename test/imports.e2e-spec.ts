import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/** Lines of a CSV file, each ended by a newline. */
const csv = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('data-room imports', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let key: Record<string, string>;
  let dealerA: string;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    key = { 'X-Api-Key': net.dealerA.apiKey };
    dealerA = net.dealerA.id;
  }, 120_000);
  afterAll(() => t?.close());

  const post = (type: string, contentType: string, body: string | Buffer, headers = key, dealerId = dealerA) =>
    t.http().post(`/api/dealers/${dealerId}/imports?type=${type}`).set(headers).set('Content-Type', contentType).send(body);
  const get = (path: string) => t.http().get(`/api/dealers/${dealerA}/${path}`).set(key);
  const count = async (table: string, dealerId: string, like = '%') =>
    Number((await t.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE dealer_id = $1 AND external_id LIKE $2`, [dealerId, like]))[0].n);

  describe('each type, as CSV and as JSON', () => {
    it('customers from CSV: address columns, contacts as JSON, quotes, empty cells absent', async () => {
      const res = await post('customers', 'text/csv', csv(
        'externalId,kind,firstName,lastName,companyName,email,street,postalCode,city,country,birthDate,locale,contacts',
        'KC-1,person,Jan,Jansen,,Jan@Example.com,Kerkstraat 1,1011 AB,Amsterdam,NL,1980-04-23,nl,',
        'KC-2,company,,,"Garage ""De Hoek"", Utrecht",info@hoek.test,,,,,,,"[{""firstName"":""Fleur"",""role"":""fleet manager""}]"',
      ));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] });
      const jan = (await get('customers/KC-1')).body;
      expect(jan).toMatchObject({
        kind: 'person', firstName: 'Jan', lastName: 'Jansen', email: 'jan@example.com', birthDate: '1980-04-23', locale: 'nl',
        address: { street: 'Kerkstraat 1', postalCode: '1011 AB', city: 'Amsterdam', country: 'NL' },
      });
      expect(jan.companyName).toBeUndefined();
      const garage = (await get('customers/KC-2')).body;
      expect(garage).toMatchObject({ kind: 'company', companyName: 'Garage "De Hoek", Utrecht', contacts: [{ firstName: 'Fleur', role: 'fleet manager' }] });
      expect(garage.address).toBeUndefined();
    });

    it('customers from a spreadsheet CSV: ; between values, CRLF, a byte order mark, header case aside', async () => {
      const res = await post('customers', 'text/csv', `\ufeffExternalId;Kind;LastName;City;Street;PostalCode;Country\r\nKS-1;person;"Multi\r\nLine";Köln;Dom 1;50667;DE\r\nKS-2;person;de Vries;;;;\r\nKS-3;person;x@y;;;;\r\n`);
      expect(res.body).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('customers/KS-1')).body).toMatchObject({ lastName: 'Multi\r\nLine', address: { city: 'Köln', country: 'DE' } });
      // A bad row after a value with a line break in it is reported on its physical line.
      const bad = await post('customers', 'text/csv', `externalId;kind;lastName\r\nKS-4;person;"two\r\nlines"\r\nKS-5;alien;x\r\n`);
      expect(bad.body.errors).toEqual([{ line: 4, field: 'kind', message: expect.any(String) }]);
    });

    it('customers from JSON', async () => {
      const res = await post('customers', 'application/json', JSON.stringify([
        { externalId: 'KJ-1', kind: 'person', lastName: 'Jong', address: { street: 'Dam 1', postalCode: '1012 JS', city: 'Amsterdam', country: 'NL' } },
        { externalId: 'KJ-2', kind: 'company', companyName: 'Lease BV', contacts: [{ lastName: 'Bakker', email: 'b@lease.test' }] },
      ], null, 2));
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('customers/KJ-1')).body.address).toEqual({ street: 'Dam 1', postalCode: '1012 JS', city: 'Amsterdam', country: 'NL' });
      expect((await get('customers/KJ-2')).body.contacts).toEqual([{ lastName: 'Bakker', email: 'b@lease.test' }]);
    });

    it('vehicles from CSV (mileage read as a number, brand by key) and from JSON', async () => {
      const res = await post('vehicles', 'text/csv', csv(
        'externalId,customerExternalId,brandId,model,licensePlate,vin,inspectionDueDate,mileageKm',
        'VC-1,C1,vela,Aurora,gx-123-b,WVWZZZ1JZXW000001,2027-03-01,12345',
        `VC-2,C1,${net.brands[0].id},Boreal,,,,`,
      ));
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('vehicles/VC-1')).body).toMatchObject({
        customerExternalId: 'C1', brandId: net.brands[0].id, model: 'Aurora', licensePlate: 'GX123B', inspectionDueDate: '2027-03-01', mileageKm: 12345,
      });
      const json = await post('vehicles', 'application/json', JSON.stringify([
        { externalId: 'VJ-1', customerExternalId: 'C1', brandId: 'vela', mileageKm: 800, registrationDate: '2024-05-01' },
      ]));
      expect(json.body).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('vehicles/VJ-1')).body).toMatchObject({ mileageKm: 800, registrationDate: '2024-05-01' });
    });

    it('consents from CSV (granted as yes/no/true/0) and from JSON', async () => {
      const res = await post('consents', 'text/csv', csv(
        'customerExternalId,vehicleExternalId,channel,purpose,granted,source,at',
        'C1,,email,marketing,yes,dms-import,2025-01-10T10:00:00Z',
        'C1,V1,sms,service,No,dms-import,2025-01-11T10:00:00Z',
        'C1,,letter,marketing,TRUE,dms-import,2025-01-12T10:00:00Z',
        'C1,,phone,marketing,0,dms-import,2025-01-13T10:00:00Z',
      ));
      expect(res.body).toEqual({ created: 4, updated: 0, unchanged: 0, failed: 0, errors: [] });
      const json = await post('consents', 'application/json', JSON.stringify([
        { customerExternalId: 'C1', channel: 'email', purpose: 'service', granted: false, source: 'call-center', at: '2025-02-01T09:00:00+01:00', noticeVersion: 'v3' },
      ]));
      expect(json.body).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0, errors: [] });
      const history = (await get('customers/C1/consents')).body.history;
      expect(history.map((h: { channel: string; granted: boolean }) => [h.channel, h.granted])).toEqual([
        ['email', true], ['sms', false], ['letter', true], ['phone', false], ['email', false],
      ]);
      expect(history[1].vehicleExternalId).toBe('V1');
      expect(history[4]).toMatchObject({ source: 'call-center', noticeVersion: 'v3' });
    });

    it('appointments from CSV and from JSON', async () => {
      const res = await post('appointments', 'text/csv', csv(
        'externalId,vehicleExternalId,type,startsAt,status',
        'AC-1,V1,inspection,2026-12-01T09:30:00+01:00,booked',
      ));
      expect(res.body).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('appointments/AC-1')).body).toMatchObject({ vehicleExternalId: 'V1', customerExternalId: 'C1', type: 'inspection', status: 'booked' });
      const json = await post('appointments', 'application/json', JSON.stringify([
        { externalId: 'AJ-1', vehicleExternalId: 'V1', type: 'service', startsAt: '2026-12-02T08:00:00Z', status: 'done' },
      ]));
      expect(json.body).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect((await get('appointments/AJ-1')).body).toMatchObject({ type: 'service', status: 'done' });
    });
  });

  describe('bad rows', () => {
    it('reports each bad customer row by line and field and keeps the good ones', async () => {
      const res = await post('customers', 'text/csv', csv(
        'externalId,kind,lastName,email,birthDate',
        'M-1,person,Good,good@example.test,1990-01-01',
        'M-2,person,Bad,not-an-email,',
        'M-3,person,Bad,,2025-02-30',
        'M-4,alien,Bad,,',
        ',person,NoId,,',
        'M 6,person,Space,,',
        'M-7,person,Good,,',
      ));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ created: 2, updated: 0, unchanged: 0, failed: 5 });
      expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
        [3, 'email'], [4, 'birthDate'], [5, 'kind'], [6, 'externalId'], [7, 'externalId'],
      ]);
      expect(res.body.errors[1].message).toBe('must be a date as YYYY-MM-DD');
      expect((await get('customers/M-1')).status).toBe(200);
      expect((await get('customers/M-7')).status).toBe(200);
      for (const id of ['M-2', 'M-3', 'M-4']) expect((await get(`customers/${id}`)).status).toBe(404);
    });

    it('leaves a value that does not read as a number or yes/no for validation to name', async () => {
      const vehicles = await post('vehicles', 'text/csv', csv(
        'externalId,customerExternalId,brandId,mileageKm',
        'MV-1,C1,vela,abc',
        'MV-2,C1,vela,1.5',
        'MV-3,NOBODY,vela,10',
        'MV-4,C1,no-such-brand,10',
        'MV-5,C1,vela,10',
      ));
      expect(vehicles.body).toMatchObject({ created: 1, failed: 4 });
      const fields = vehicles.body.errors.map((e: { line: number; field: string }) => `${e.line} ${e.field}`);
      expect(fields).toEqual(expect.arrayContaining(['2 mileageKm', '3 mileageKm', '4 customerExternalId', '5 brandId']));
      expect(vehicles.body.errors).toContainEqual({ line: 2, field: 'mileageKm', message: 'must be an integer number' });

      const consents = await post('consents', 'text/csv', csv(
        'customerExternalId,channel,purpose,granted,source,at',
        'C1,email,service,maybe,dms,2025-03-01T10:00:00Z',
        'C1,email,service,yes,dms,',
        'C1,pigeon,service,yes,dms,2025-03-01T10:00:00Z',
      ));
      expect(consents.body).toMatchObject({ created: 0, failed: 3 });
      expect(consents.body.errors).toEqual([
        { line: 2, field: 'granted', message: expect.stringMatching(/boolean/) },
        { line: 3, field: 'at', message: 'is required in imports' },
        { line: 4, field: 'channel', message: expect.any(String) },
      ]);
    });

    it('reports bad JSON elements by line and element, and unknown fields by name', async () => {
      const body = [
        '[',
        '  {"externalId": "MJ-1", "kind": "person", "lastName": "Good"},',
        '  {"externalId": "MJ-2", "kind": "person", "lastName": "Bad", "email": "nope"},',
        '  {"externalId": "MJ-3", "kind": "person", "lastNmae": "Typo"},',
        '  "not an object",',
        '  {"externalId": "MJ-5", "kind": "person", "lastName": oops},',
        '  {"externalId": "MJ-6", "kind": "person", "lastName": "Good"}',
        ']',
      ].join('\n');
      const res = await post('customers', 'application/json', body);
      expect(res.body).toMatchObject({ created: 2, failed: 4 });
      expect(res.body.errors).toEqual([
        { line: 3, element: 2, field: 'email', message: 'must be an email' },
        { line: 4, element: 3, field: 'lastNmae', message: 'should not exist' },
        { line: 5, element: 4, field: 'file', message: 'must be a JSON object' },
        { line: 6, element: 5, field: 'file', message: expect.stringMatching(/^is not valid JSON/) },
      ]);
    });

    it('keeps the first of two rows with the same external id and names the line of the first', async () => {
      const res = await post('customers', 'text/csv', csv(
        'externalId,kind,lastName',
        'D-1,person,First',
        'D-2,person,Other',
        'D-1,person,Second',
      ));
      expect(res.body).toEqual({
        created: 2, updated: 0, unchanged: 0, failed: 1,
        errors: [{ line: 4, field: 'externalId', message: '"D-1" is already in this file, on line 2' }],
      });
      expect((await get('customers/D-1')).body.lastName).toBe('First');

      const json = await post('vehicles', 'application/json', JSON.stringify([
        { externalId: 'DV-1', customerExternalId: 'C1', brandId: 'vela' },
        { externalId: 'DV-1', customerExternalId: 'C1', brandId: 'vela', model: 'Twin' },
      ]));
      expect(json.body).toMatchObject({ created: 1, failed: 1, errors: [{ line: 1, element: 2, field: 'externalId', message: '"DV-1" is already in this file, on element 1 (line 1)' }] });

      // Consents have no key of their own: the same statement twice is one ledger entry.
      const consents = await post('consents', 'text/csv', csv(
        'customerExternalId,channel,purpose,granted,source,at',
        'C1,sms,marketing,yes,twice,2025-04-01T10:00:00Z',
        'C1,sms,marketing,yes,twice,2025-04-01T10:00:00Z',
      ));
      expect(consents.body).toEqual({ created: 1, updated: 0, unchanged: 1, failed: 0, errors: [] });
    });

    it('keeps the rows before the damage of a CSV cut off mid-row or inside a quote', async () => {
      const midRow = await post('customers', 'text/csv', 'externalId,kind,firstName,lastName\nTC-1,person,Ann,One\nTC-2,person,Bob,Two\nC1,person,Chan');
      expect(midRow.body).toMatchObject({ created: 2, failed: 1, errors: [{ line: 4, field: 'file', message: expect.stringMatching(/cut off/) }] });
      const inQuote = await post('customers', 'text/csv', 'externalId,kind,firstName,lastName\nTC-3,person,Cas,Three\nC1,person,Changed,"Room d');
      expect(inQuote.body).toEqual({
        created: 1, updated: 0, unchanged: 0, failed: 1,
        errors: [{ line: 3, field: 'file', message: 'has a quote that is never closed: the file may be cut off' }],
      });
      expect((await get('customers/C1')).body).toMatchObject({ firstName: 'Anna', lastName: 'Room dealer-a' });
    });

    it('keeps the elements before the damage of a JSON file that is cut off', async () => {
      const whole = JSON.stringify([
        { externalId: 'TJ-1', kind: 'person', lastName: 'One' },
        { externalId: 'TJ-2', kind: 'person', lastName: 'Two' },
        { externalId: 'C1', kind: 'person', lastName: 'Changed' },
      ], null, 1);
      const res = await post('customers', 'application/json', whole.slice(0, whole.indexOf('Changed')));
      expect(res.body).toMatchObject({ created: 2, failed: 1, errors: [{ element: 3, field: 'file', message: expect.stringMatching(/cut off/) }] });
      expect(res.body.errors[0].line).toBe(whole.slice(0, whole.indexOf('"C1"')).split('\n').length - 1);
      const noEnd = await post('customers', 'application/json', '[{"externalId": "TJ-3", "kind": "person", "lastName": "Three"}');
      expect(noEnd.body).toMatchObject({ created: 1, failed: 1, errors: [{ field: 'file', message: expect.stringMatching(/closing \]/) }] });
      expect((await get('customers/C1')).body.lastName).toBe('Room dealer-a');
    });

    it('answers a file that is neither CSV nor JSON with errors, not a 500', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex');
      const asCsv = await post('customers', 'text/csv', png);
      expect(asCsv.status).toBe(200);
      expect(asCsv.body).toMatchObject({ created: 0, updated: 0 });
      expect(asCsv.body.failed).toBeGreaterThan(0);
      expect(asCsv.body.errors[0]).toMatchObject({ line: 1 });

      const asJson = await post('customers', 'application/json', png);
      expect(asJson.status).toBe(200);
      expect(asJson.body).toMatchObject({ created: 0, failed: 1, errors: [{ line: 1, field: 'file', message: expect.stringMatching(/JSON array/) }] });

      const nul = await post('customers', 'text/csv', Buffer.from('externalId,kind,lastName\nNUL-1,person,Nu\u0000ll\nNUL-2,person,Fine\n'));
      expect(nul.body).toMatchObject({ created: 1, failed: 1, errors: [{ line: 2, field: 'lastName', message: expect.stringMatching(/NUL/) }] });

      const deep = `[{"externalId": "DEEP-1", "kind": "person", "lastName": "Deep", "contacts": ${'['.repeat(50_000)}${']'.repeat(50_000)}}]`;
      const nested = await post('customers', 'application/json', deep);
      expect(nested.status).toBe(200);
      expect(nested.body).toMatchObject({ created: 0, failed: 1, errors: [{ element: 1, field: 'contacts.0.0.0.0.0.0.0', message: 'is nested more than 8 levels deep' }] });

      const empty = await post('customers', 'text/csv', '');
      expect(empty.body).toMatchObject({ created: 0, failed: 1, errors: [{ line: 1, field: 'file' }] });
    });

    it('names unknown and repeated CSV columns and imports nothing from such a file', async () => {
      const res = await post('customers', 'text/csv', csv('externalId,kind,lastNmae,kind', 'H-1,person,Doe,person', 'H-2,person,Roe,person'));
      expect(res.body).toMatchObject({ created: 0, failed: 3 });
      expect(res.body.errors).toEqual([
        { line: 1, field: 'lastNmae', message: expect.stringMatching(/^is not a column of customers imports; the columns are externalId, /) },
        { line: 1, field: 'kind', message: 'appears twice in the header' },
      ]);
      expect(await count('customers', dealerA, 'H-%')).toBe(0);
    });

    it('refuses a date PostgreSQL could not store, naming the field, and keeps the other rows', async () => {
      const res = await post('customers', 'text/csv', csv('externalId,kind,lastName,birthDate', 'Y-1,person,A,1970-01-01', 'Y-2,person,B,0000-01-01', 'Y-3,person,C,'));
      expect(res.body).toMatchObject({ created: 2, failed: 1, errors: [{ line: 3, field: 'birthDate', message: 'must be a date as YYYY-MM-DD' }] });
    });

    it('reads the charset the content type names', async () => {
      const res = await post('customers', 'text/csv; charset=windows-1252', Buffer.from('externalId,kind,lastName\nW-1,person,Müller\n', 'latin1'));
      expect(res.body).toMatchObject({ created: 1, failed: 0 });
      expect((await get('customers/W-1')).body.lastName).toBe('Müller');
    });
  });

  describe('re-imports and existing data', () => {
    it('re-importing the same file changes nothing and says so', async () => {
      const file = csv('externalId,kind,lastName,email', 'R-1,person,One,one@example.test', 'R-2,person,Two,', 'R-3,person,Three,');
      const first = await post('customers', 'text/csv', file);
      expect(first.body).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0, errors: [] });
      const again = await post('customers', 'text/csv', file);
      expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0, errors: [] });
      const changed = await post('customers', 'text/csv', file.replace('R-2,person,Two,', 'R-2,person,Two,two@example.test'));
      expect(changed.body).toEqual({ created: 0, updated: 1, unchanged: 2, failed: 0, errors: [] });

      const consents = JSON.stringify([
        { customerExternalId: 'R-1', channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2025-05-01T12:00:00Z' },
        { customerExternalId: 'R-2', channel: 'all', purpose: 'all', granted: false, source: 'web', at: '2025-05-01T12:00:00Z' },
      ]);
      expect((await post('consents', 'application/json', consents)).body).toMatchObject({ created: 2, unchanged: 0 });
      expect((await post('consents', 'application/json', consents)).body).toEqual({ created: 0, updated: 0, unchanged: 2, failed: 0, errors: [] });
      expect((await get('customers/R-1/consents')).body.history).toHaveLength(1);

      const appointments = csv('externalId,vehicleExternalId,type,startsAt,status', 'RA-1,V1,repair,2026-11-01T08:00:00Z,booked');
      expect((await post('appointments', 'text/csv', appointments)).body).toMatchObject({ created: 1 });
      expect((await post('appointments', 'text/csv', appointments)).body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    });

    it('never changes an existing record from a bad row', async () => {
      const before = (await get('customers/C1')).body;
      const res = await post('customers', 'text/csv', csv(
        'externalId,kind,firstName,lastName,email',
        'C1,person,Mallory,Room dealer-a,not-an-email',
        'C1,company,,,',
        'C1,person,Anna,Room dealer-a,anna@dealer-a.test,extra',
      ));
      expect(res.body).toMatchObject({ created: 0, updated: 0 });
      expect(res.body.failed).toBe(3);
      expect((await get('customers/C1')).body).toEqual(before);
    });
  });

  describe('access and the request', () => {
    it("answers 404 for another dealer's data room and writes nothing there", async () => {
      const before = await count('customers', net.dealerB.id);
      const file = csv('externalId,kind,lastName', 'X-1,person,Intruder');
      const res = await post('customers', 'text/csv', file, key, net.dealerB.id);
      expect(res.status).toBe(404);
      const asUser = await post('customers', 'text/csv', file, bearer(net.dealerA.userToken), net.dealerB.id);
      expect(asUser.status).toBe(404);
      expect(await count('customers', net.dealerB.id)).toBe(before);
      expect((await post('customers', 'text/csv', file, bearer(net.brandAdminToken))).status).toBe(403);
      expect((await post('customers', 'text/csv', file, bearer(net.dealerA.userToken))).body).toMatchObject({ created: 1 });
    });

    it('names the query or header at fault', async () => {
      const badType = await post('cars', 'text/csv', 'externalId\n');
      expect(badType.status).toBe(400);
      expect(badType.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(badType.body.errors).toEqual([{ field: 'type', message: 'must be customers, vehicles, consents, appointments' }]);
      const badMedia = await post('customers', 'application/xml', '<x/>');
      expect(badMedia.status).toBe(400);
      expect(badMedia.body.errors).toEqual([{ field: 'content-type', message: 'must be text/csv or application/json, not application/xml' }]);
      const badCharset = await post('customers', 'text/csv; charset=klingon', 'externalId\n');
      expect(badCharset.body.errors).toEqual([{ field: 'content-type', message: 'charset klingon is not supported' }]);
    });
  });

  /** Streams `body` to the server as the request, with chunked transfer: the file is never whole in the test either. */
  const postStream = (path: string, headers: Record<string, string>, body: Readable) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const request = httpRequest(`${t.url}${path}`, { method: 'POST', headers }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      body.pipe(request);
    });

  it('streams 100,000 customers (a 30 MB file) without the heap growing with the file', async () => {
    const ROWS = 100_000;
    const filler = 'van den Heuvel-Oudendijk '.repeat(3);
    async function* file() {
      yield 'externalId,kind,firstName,lastName,email,street,postalCode,city,country,birthDate,locale\n';
      for (let i = 0; i < ROWS; i += 1000) {
        let block = '';
        for (let j = i; j < i + 1000; j++) {
          block +=
            `BULK-${j},person,Firstname ${j},${filler}${j},bulk.${j}@example.test,${filler}straat ${j % 500},` +
            `${1000 + (j % 8999)} AB,Utrecht,NL,19${50 + (j % 50)}-0${1 + (j % 9)}-1${j % 10},nl\n`;
        }
        yield block;
      }
    }
    // What the heap holds, not the garbage waiting for a collection: collect, then measure.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = live();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, live())), 1000);
    const started = Date.now();
    const res = await postStream(`/api/dealers/${dealerA}/imports?type=customers`, { ...key, 'Content-Type': 'text/csv' }, Readable.from(file()));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: ROWS, updated: 0, unchanged: 0, failed: 0, errors: [] });
    expect(await count('customers', dealerA, 'BULK-%')).toBe(ROWS);
    const grownMb = (peak - before) / 2 ** 20;
    console.log(`imported ${ROWS} customers in ${seconds.toFixed(1)} s; live heap grew by at most ${grownMb.toFixed(0)} MB`);
    // Streaming keeps the ids seen (for duplicates) and one chunk: about 12 MB. Holding the file
    // or its rows would take 30 to 100 MB more.
    expect(grownMb).toBeLessThan(32);
    // About 20 s on two idle cores; the bound leaves room for a machine busy with other work.
    expect(seconds).toBeLessThan(120);
  }, 240_000);

  describe('the command line', () => {
    const repo = join(__dirname, '..');
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['dist/apps/host/src/cli.js', ...args], {
          cwd: repo,
          env: {
            ...process.env,
            DATABASE_URL: t.ownerUrl,
            FORECOURT_SECRET: t.config.secret,
            FORECOURT_DATA_DIR: t.config.dataDir,
            FORECOURT_DEMO: '0',
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'forecourt-import-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('imports a file through the same service, with exit codes for success, failed rows and usage errors', async () => {
      const good = join(dir, 'vehicles.csv');
      writeFileSync(good, csv('externalId,customerExternalId,brandId,licensePlate,mileageKm', 'CLI-1,C1,vela,CL-11-AA,100', 'CLI-2,C1,vela,CL-22-BB,200'));
      const ok = await cli(['import', '--dealer', 'dealer-a', '--type', 'vehicles', '--json', good]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 0, errors: [] });
      expect(ok.stderr).toMatch(/created 2, updated 0, unchanged 0, failed 0/);
      const rows = await t.ownerQuery<{ external_id: string; mileage_km: number }>(
        `SELECT external_id, mileage_km FROM vehicles WHERE dealer_id = $1 AND external_id LIKE 'CLI-%' ORDER BY external_id`,
        [dealerA],
      );
      expect(rows).toEqual([{ external_id: 'CLI-1', mileage_km: 100 }, { external_id: 'CLI-2', mileage_km: 200 }]);

      const bad = join(dir, 'more.json');
      writeFileSync(bad, JSON.stringify([
        { externalId: 'CLI-3', customerExternalId: 'C1', brandId: 'vela' },
        { externalId: 'CLI-4', customerExternalId: 'C1', brandId: 'vela', mileageKm: 'lots' },
      ]));
      const failed = await cli(['import', '--dealer', dealerA, '--type', 'vehicles', bad]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/created 1, updated 0, unchanged 0, failed 1/);
      expect(failed.stderr).toContain('line 1 (element 2), mileageKm: must be an integer number');
      expect(await count('vehicles', dealerA, 'CLI-%')).toBe(3);

      expect((await cli(['import', '--dealer', 'dealer-a', good])).code).toBe(2);
      expect((await cli(['import', '--dealer', 'dealer-a', '--type', 'boats', good])).code).toBe(2);
      expect((await cli(['import', '--dealer', 'dealer-a', '--type', 'vehicles', join(dir, 'missing.csv')])).code).toBe(2);
      const noDealer = await cli(['import', '--dealer', 'dealer-z', '--type', 'vehicles', good]);
      expect(noDealer.code).toBe(2);
      expect(noDealer.stderr).toContain('no dealer "dealer-z"');
    }, 120_000);
  });
});
