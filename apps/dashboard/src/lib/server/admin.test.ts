import type { ViewerRole } from '@motcua/contract';
import { UnitTree, type Viewer } from '@motcua/db';
import { describe, expect, it } from 'vitest';
import {
  auditScope,
  mayAdminister,
  mayGrantRole,
  mayManageUnit,
  phoneOrigins,
  qrSvg,
  unitsUnder,
} from './admin.ts';

/** city 70 → districts 700, 701 → communes 70000, 70001 (under 700) and 70100 (under 701). */
const tree = new UnitTree([
  { code: '70', name: 'Thành phố', level: 'city', parentCode: null },
  { code: '700', name: 'Quận A', level: 'district', parentCode: '70' },
  { code: '701', name: 'Quận B', level: 'district', parentCode: '70' },
  { code: '70000', name: 'Phường 1', level: 'commune', parentCode: '700' },
  { code: '70001', name: 'Phường 2', level: 'commune', parentCode: '700' },
  { code: '70100', name: 'Phường 3', level: 'commune', parentCode: '701' },
]);
const viewer = (role: ViewerRole, unitCode: string): Viewer => ({
  id: 1,
  prefix: 'mcv_0123456789',
  role,
  unitCode,
  label: role,
  revokedAt: null,
});

describe('who administers what', () => {
  it('admins, city and district viewers administer; commune viewers, displays and nobody do not', () => {
    expect(mayAdminister(viewer('admin', '70'))).toBe(true);
    expect(mayAdminister(viewer('city', '70'))).toBe(true);
    expect(mayAdminister(viewer('district', '700'))).toBe(true);
    expect(mayAdminister(viewer('commune', '70000'))).toBe(false);
    expect(mayAdminister(viewer('display', '70'))).toBe(false);
    expect(mayAdminister(null)).toBe(false);
  });

  it('a district manages its own subtree only, desks included; unknown units are nobody’s', () => {
    const d = viewer('district', '700');
    expect(mayManageUnit(tree, d, '700')).toBe(true);
    expect(mayManageUnit(tree, d, '70001')).toBe(true);
    expect(mayManageUnit(tree, d, '70001/Q01')).toBe(true);
    expect(mayManageUnit(tree, d, '70100')).toBe(false);
    expect(mayManageUnit(tree, d, '70')).toBe(false);
    expect(mayManageUnit(tree, viewer('admin', '70'), '99999')).toBe(false);
  });

  it('only an admin grants or takes the admin role', () => {
    for (const role of ['city', 'district', 'commune', 'display'] as const) {
      expect(mayGrantRole(viewer('district', '700'), role)).toBe(true);
    }
    expect(mayGrantRole(viewer('city', '70'), 'admin')).toBe(false);
    expect(mayGrantRole(viewer('admin', '70'), 'admin')).toBe(true);
  });

  it('an admin reads the whole audit log; others the entries of their subtree', () => {
    expect(auditScope(tree, viewer('admin', '70'))).toBeNull();
    expect(auditScope(tree, viewer('district', '700'))).toEqual(['700', '70000', '70001']);
    expect(unitsUnder(tree, '70').map((u) => [u.code, u.depth])).toEqual([
      ['70', 0],
      ['700', 1],
      ['70000', 2],
      ['70001', 2],
      ['701', 1],
      ['70100', 2],
    ]);
  });

  it('draws a QR code as plain SVG, with nothing that runs', async () => {
    const svg = await qrSvg('http://127.0.0.1:3000/kiosk?pair=ABCDEFGH');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toMatch(/<script|on\w+=/i);
  });
});

describe('phoneOrigins', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
    ({
      address,
      family,
      internal,
      netmask: '',
      mac: '',
      cidr: null,
    }) as import('node:os').NetworkInterfaceInfo;
  const interfaces = {
    lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
    // Listed first by the system, yet a phone is on the Wi-Fi, not on the container bridge.
    docker0: [nic('172.17.0.1', 'IPv4', false)],
    wlan0: [nic('192.168.1.20', 'IPv4', false), nic('fe80::1', 'IPv6', false)],
  };
  const url = (u: string) => new URL(u);

  it('leaves an address a phone can open alone', () => {
    for (const u of ['http://192.168.1.20:3000/admin/keys', 'https://motcua.hanoi.gov.vn/admin/keys'])
      expect(phoneOrigins(url(u), { host: '0.0.0.0', port: 3000 }, interfaces)).toBeNull();
  });

  it('offers the LAN addresses of a server that listens on them', () => {
    for (const u of [
      'http://127.0.0.1:3000/admin',
      'http://localhost:3000/admin',
      'http://[::1]:3000/admin',
    ]) {
      expect(phoneOrigins(url(u), { host: '0.0.0.0', port: 3000 }, interfaces)).toEqual([
        'http://192.168.1.20:3000',
        'http://172.17.0.1:3000',
      ]);
    }
    expect(
      phoneOrigins(url('http://127.0.0.1:3000/'), { host: '192.168.1.20', port: 3000 }, interfaces),
    ).toEqual(['http://192.168.1.20:3000']);
  });

  it('offers none when the server listens on loopback only', () => {
    expect(
      phoneOrigins(url('http://127.0.0.1:3000/'), { host: '127.0.0.1', port: 3000 }, interfaces),
    ).toEqual([]);
    expect(phoneOrigins(url('http://127.0.0.1:3000/'), undefined, interfaces)).toEqual([]);
  });
});
