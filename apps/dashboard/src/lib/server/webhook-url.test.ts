import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  classifyAddress,
  PUBLIC_ONLY,
  type Resolver,
  systemResolver,
  webhookPolicyFrom,
} from './webhook-url.ts';

describe('classifyAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('IPv4 %s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.128.0.1',
    '169.253.0.1',
    '203.162.4.190',
  ])('IPv4 %s is public', (ip) => {
    expect(classifyAddress(ip)).toBeNull();
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped and -compatible: the IPv4 address inside is the one reached.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('IPv6 %s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each(['2001:4860:4860::8888', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', 'fe00::1'])(
    'IPv6 %s is public',
    (ip) => {
      expect(classifyAddress(ip)).toBeNull();
    },
  );

  it('treats anything that is not an IP literal as not public', () => {
    expect(classifyAddress('localhost')).toBe('reserved');
  });
});

/** A resolver with fixed answers, so the tests need no DNS. */
const fixed =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const list = table[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const resolve = fixed({
  'hooks.example.vn': ['203.162.4.190', '2001:db8:1::5'],
  'metadata.example': ['169.254.169.254'],
  'mixed.example': ['203.162.4.190', '10.0.0.7'],
  'v6only.example': ['fd00::7'],
  'mapped.example': ['::ffff:127.0.0.1'],
});

describe('checkWebhookUrl', () => {
  const refused = (url: string, policy = PUBLIC_ONLY) =>
    checkWebhookUrl(url, policy, resolve).then(
      () => 'accepted',
      (e: Error) => e.message,
    );

  it('accepts a public https or http address, and gives the addresses to connect to', async () => {
    const ok = await checkWebhookUrl('https://hooks.example.vn/motcua?x=1', PUBLIC_ONLY, resolve);
    expect(ok.addresses.map((a) => a.address)).toEqual(['203.162.4.190', '2001:db8:1::5']);
    expect((await checkWebhookUrl('http://8.8.8.8:8080/h', PUBLIC_ONLY, resolve)).addresses).toEqual([
      { address: '8.8.8.8', family: 4 },
    ]);
  });

  it('refuses other schemes, credentials and what does not parse', async () => {
    expect(await refused('ftp://hooks.example.vn/')).toBe('url: expected an http:// or https:// address');
    expect(await refused('file:///etc/passwd')).toBe('url: expected an http:// or https:// address');
    expect(await refused('http//nope')).toBe('url: expected an http:// or https:// address');
    expect(await refused('https://user:pass@hooks.example.vn/')).toMatch(
      /^url: must not hold a user name or password/,
    );
    expect(await refused('https://token@hooks.example.vn/')).toMatch(
      /^url: must not hold a user name or password/,
    );
  });

  it('refuses loopback, private, link-local and unspecified literals, in every spelling', async () => {
    expect(await refused('http://127.0.0.1:3000/')).toMatch(/^url: a loopback address is not allowed/);
    expect(await refused('http://[::1]/')).toMatch(/^url: a loopback address is not allowed/);
    expect(await refused('http://[::ffff:127.0.0.1]/')).toMatch(/^url: a loopback address/);
    expect(await refused('http://169.254.169.254/latest/meta-data/')).toMatch(/^url: a link-local address/);
    expect(await refused('http://0.0.0.0:8080/')).toMatch(/^url: an unspecified address/);
    expect(await refused('http://192.168.1.1/')).toMatch(/^url: a private address/);
    // WHATWG URL parsing turns these into 127.0.0.1 before the check sees them.
    expect(await refused('http://2130706433/')).toMatch(/^url: a loopback address/);
    expect(await refused('http://0x7f.1/')).toMatch(/^url: a loopback address/);
  });

  it('refuses a name when any of its addresses is not public', async () => {
    expect(await refused('https://metadata.example/')).toBe(
      'url: a link-local address (metadata.example resolves to 169.254.169.254) is not allowed; webhooks go to public addresses unless the operator allows the host (WEBHOOK_ALLOW_HOSTS)',
    );
    expect(await refused('https://mixed.example/')).toMatch(
      /^url: a private address \(mixed\.example resolves to 10\.0\.0\.7\)/,
    );
    expect(await refused('https://v6only.example/')).toMatch(/^url: a private address/);
    expect(await refused('https://mapped.example/')).toMatch(/^url: a loopback address/);
    expect(await refused('https://nowhere.example/')).toBe(
      'url: nowhere.example does not resolve (ENOTFOUND)',
    );
  });

  it('resolves real names with dns.lookup: localhost is loopback', async () => {
    expect(
      await checkWebhookUrl('http://localhost:9/', PUBLIC_ONLY, systemResolver).catch(
        (e: Error) => e.message,
      ),
    ).toMatch(/^url: a loopback address \(localhost resolves to (127\.0\.0\.1|::1)\)/);
  });

  it('lets the operator allow private addresses, or some hosts only', async () => {
    const all = webhookPolicyFrom(true, undefined);
    expect(await refused('http://127.0.0.1:3000/', all)).toBe('accepted');
    expect(await refused('https://user:pass@127.0.0.1/', all)).toMatch(/^url: must not hold/);
    const some = webhookPolicyFrom(false, ' 127.0.0.1, Metadata.Example ,[::1]');
    expect(some.allowHosts).toEqual(['127.0.0.1', 'metadata.example', '::1']);
    expect(await refused('http://127.0.0.1:3000/', some)).toBe('accepted');
    expect(await refused('http://[::1]:3000/', some)).toBe('accepted');
    expect(await refused('https://METADATA.example/', some)).toBe('accepted');
    expect(await refused('http://127.0.0.2/', some)).toMatch(/^url: a loopback address/);
    expect(await refused('https://mixed.example/', some)).toMatch(/^url: a private address/);
  });
});
