import { readComparison, readUnitTree, type UnitTree } from '@motcua/db';
import { collectReport } from '@motcua/reports';
import { createTestTree, openTestDb, type TestDb, windowAt } from '@motcua/test-helpers/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ASOF = Date.parse('2025-11-20T10:00:00+07:00');

const win = (window: string) => windowAt(window, ASOF);

/** A report's change and the page's "compared with" are counted against the same window. */
describe('the window a report compares with', () => {
  let t: TestDb;
  let tree: UnitTree;
  beforeAll(async () => {
    t = await openTestDb('pglite');
    await createTestTree(t.db, { city: '95', districts: 1, communesPerDistrict: 1 });
    tree = await readUnitTree(t.db);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.each(['today', '7d', '30d', 'month', '2025-10', '2025-W47'])(
    'is the compare API’s for %s',
    async (name) => {
      const w = win(name);
      const [report, comparison] = await Promise.all([
        collectReport(t.db, tree, '95', w, ASOF),
        readComparison(t.db, tree, '95', w, ASOF),
      ]);
      expect(report?.previous).toEqual(comparison?.previous);
      expect(report?.previousSnapshot.window).toEqual(comparison?.previous);
    },
  );
});
