/**
 * Where a webhook may point (docs/alerts.md#webhook-addresses). Webhook URLs are typed in by
 * district and city viewers, and the dashboard POSTs to them from inside the operator's network:
 * without a rule, a viewer could make the server call its loopback, the LAN or the cloud metadata
 * service (SSRF). The rule: http or https, no user or password in the URL, and every address the
 * host resolves to is a public one — unless the operator allows private addresses
 * (WEBHOOK_ALLOW_PRIVATE=1) or that host (WEBHOOK_ALLOW_HOSTS). It is checked when a webhook is
 * created and again at every delivery, where the connection also uses only the addresses checked
 * (a name that resolves to a public address at creation and to 10.0.0.5 later is refused then).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** Why an address is not public; null when it is. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'multicast'
  | 'reserved'
  | null;

/** What the operator allows besides public addresses. */
export interface WebhookUrlPolicy {
  /** WEBHOOK_ALLOW_PRIVATE=1: any address (a closed network where every receiver is internal). */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOW_HOSTS: host names or IP literals, lower case, that may resolve to private addresses. */
  allowHosts: readonly string[];
}

/** The safe default: public addresses only. */
export const PUBLIC_ONLY: WebhookUrlPolicy = { allowPrivate: false, allowHosts: [] };

/** Resolves a host name to all its addresses, as dns.lookup with `all: true`. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

const V4_RANGES: [number, number, Exclude<AddressClass, null>][] = [
  // [network as a 32-bit number, prefix length, class]
  [0x00000000, 8, 'unspecified'], // 0.0.0.0/8 "this network": 0.0.0.0 reaches the local host
  [0x0a000000, 8, 'private'], // 10/8
  [0x64400000, 10, 'shared'], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8, 'loopback'], // 127/8
  [0xa9fe0000, 16, 'link-local'], // 169.254/16, cloud metadata at 169.254.169.254
  [0xac100000, 12, 'private'], // 172.16/12
  [0xc0000000, 24, 'reserved'], // 192.0.0/24 IETF protocol assignments
  [0xc0a80000, 16, 'private'], // 192.168/16
  [0xc6120000, 15, 'reserved'], // 198.18/15 benchmarking
  [0xe0000000, 4, 'multicast'], // 224/4
  [0xf0000000, 4, 'reserved'], // 240/4 and the broadcast address
];

function v4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(n: number): AddressClass {
  for (const [net, bits, cls] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === net) return cls;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0];
  const dotted = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = v4Number(dotted[1]);
    s = `${s.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = s.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => Number.parseInt(g, 16));
}

function classifyV6(ip: string): AddressClass {
  const g = v6Groups(ip);
  const zeroUpTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  const embeddedV4 = ((g[6] << 16) >>> 0) + g[7];
  if (zeroUpTo(8)) return 'unspecified'; // ::
  if (zeroUpTo(7) && g[7] === 1) return 'loopback'; // ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 address is the one reached.
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return classifyV4(embeddedV4);
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(embeddedV4);
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // fec0::/10, the old site-local
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g[0] & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  return null;
}

/** Why `ip` (an IPv4 or IPv6 literal) is not a public address, or null when it is. */
export function classifyAddress(ip: string): AddressClass {
  const v = isIP(ip.split('%')[0]);
  if (v === 4) return classifyV4(v4Number(ip));
  if (v === 6) return classifyV6(ip);
  return 'reserved';
}

const CLASS_TEXT: Record<Exclude<AddressClass, null>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  shared: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/** A refused URL; `message` names the field and says why. */
export class WebhookUrlError extends Error {}

/** The host as the allow list names it: lower case, an IPv6 literal without its brackets. */
const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');

/**
 * Checks a webhook URL against the policy and returns the addresses it may be sent to (empty
 * when the host is allowed as it is). Throws {@link WebhookUrlError} with a `url: …` message.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: WebhookUrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<{ url: URL; addresses: LookupAddress[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('url: expected an http:// or https:// address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlError('url: expected an http:// or https:// address');
  }
  // The secret signs each delivery; a password in the URL would be shown on the settings page.
  if (url.username || url.password) {
    throw new WebhookUrlError(
      'url: must not hold a user name or password (the shared secret signs each delivery)',
    );
  }
  const host = hostOf(url);
  if (policy.allowPrivate || policy.allowHosts.includes(host)) return { url, addresses: [] };
  let addresses: LookupAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new WebhookUrlError(
        `url: ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (addresses.length === 0) throw new WebhookUrlError(`url: ${host} does not resolve`);
  }
  // Every address: a name with one public and one private address could be reached at either.
  for (const a of addresses) {
    const cls = classifyAddress(a.address);
    if (cls) {
      const via = a.address === host ? '' : ` (${host} resolves to ${a.address})`;
      throw new WebhookUrlError(
        `url: ${CLASS_TEXT[cls]}${via} is not allowed; webhooks go to public addresses unless the operator allows the host (WEBHOOK_ALLOW_HOSTS)`,
      );
    }
  }
  return { url, addresses };
}

/** The policy from WEBHOOK_ALLOW_PRIVATE and WEBHOOK_ALLOW_HOSTS (comma-separated). */
export function webhookPolicyFrom(allowPrivate: boolean, allowHosts: string | undefined): WebhookUrlPolicy {
  return {
    allowPrivate,
    allowHosts: (allowHosts ?? '')
      .split(',')
      .map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1'),
      )
      .filter((h) => h !== ''),
  };
}
