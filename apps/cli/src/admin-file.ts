import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running embedded server tells the CLI how to reach it (mode 0600: the token is a secret). */
export interface AdminInfo {
  pid: number;
  url: string;
  token: string;
}

const path = (dataDir: string) => join(dataDir, 'admin.json');

export function writeAdminInfo(dataDir: string, info: AdminInfo): void {
  writeFileSync(path(dataDir), JSON.stringify(info), { mode: 0o600 });
}

export function readAdminInfo(dataDir: string): AdminInfo | null {
  try {
    return JSON.parse(readFileSync(path(dataDir), 'utf8')) as AdminInfo;
  } catch {
    return null;
  }
}

export function removeAdminInfo(dataDir: string): void {
  rmSync(path(dataDir), { force: true });
}
