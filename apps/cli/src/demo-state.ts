import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the demo remembers between starts (in the data directory, which is private). */
export interface DemoState {
  cityViewerToken: string;
  /** commune code → desk key (the secrets are only kept hashed in the database). */
  deskKeys: Record<string, string>;
  /** Events up to this time (epoch ms) have been generated and sent. */
  backfilledUntil: number | null;
  /** The demo's speed by start time, so lifecycles begun in an earlier run finish in a later one. */
  schedule?: { from: number; speed: number }[];
  /** The demo's wall screen: a display viewer of the city and the saved playlist it plays. */
  screen?: { displayViewerToken: string; playlistId: number };
}

const statePath = (dataDir: string) => join(dataDir, 'demo.json');

export function readDemoState(dataDir: string): DemoState | null {
  try {
    return JSON.parse(readFileSync(statePath(dataDir), 'utf8')) as DemoState;
  } catch {
    return null;
  }
}

export function writeDemoState(dataDir: string, state: DemoState): void {
  writeFileSync(statePath(dataDir), JSON.stringify(state), { mode: 0o600 });
}
