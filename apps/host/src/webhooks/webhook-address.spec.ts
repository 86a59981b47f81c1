import { isPrivateAddress, privateLiteralHost, publicOnlyLookup } from './webhook-address';

describe('webhook addresses', () => {
  it("knows the server's own network from the public internet", () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.10', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('refuses literal internal hosts when an endpoint is saved', () => {
    expect(privateLiteralHost(new URL('http://127.0.0.1:8080/hook'))).toBe('127.0.0.1');
    expect(privateLiteralHost(new URL('http://[::1]/hook'))).toBe('::1');
    expect(privateLiteralHost(new URL('http://localhost/hook'))).toBe('localhost');
    expect(privateLiteralHost(new URL('https://crm.example.com/hook'))).toBeUndefined();
  });

  it('refuses a name that resolves into the own network, at connection time', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(error?.code).toBe('EPRIVATEADDRESS');
  });
});
