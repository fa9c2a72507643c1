import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from './test-summary.mjs';

const script = join(import.meta.dirname, 'test-summary.mjs');
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'motcua-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A vitest JSON report as vitest writes it (only the fields the summary reads, plus a few). */
function report(over = {}) {
  return JSON.stringify({
    numTotalTestSuites: 4,
    numPassedTestSuites: 4,
    numFailedTestSuites: 0,
    numPendingTestSuites: 0,
    numTotalTests: 12,
    numPassedTests: 10,
    numFailedTests: 0,
    numPendingTests: 2,
    numTodoTests: 0,
    success: true,
    testResults: [
      {
        name: '/repo/a.test.ts',
        status: 'passed',
        message: '',
        assertionResults: [{ title: 'x', status: 'passed' }],
      },
    ],
    ...over,
  });
}

/** Runs the script as CI does: its stdout line and stderr; it must exit 1 exactly when the line has failures. */
function run(reportText, status) {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  if (reportText !== null) writeFileSync(file, reportText);
  const args = status === undefined ? [script, file] : [script, file, status];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const line = r.stdout.trim();
  expect(r.status, line).toBe(/ 0 failed/.test(line) ? 0 : 1);
  return { line, err: r.stderr };
}

describe('test summary line', () => {
  it('reports a green run as it is', () => {
    expect(run(report(), '0')).toEqual({ line: 'tests: 10 passed, 0 failed, 2 skipped', err: '' });
  });

  it('counts failed tests, and todo tests as skipped', () => {
    const r = report({
      numPassedTests: 7,
      numFailedTests: 3,
      numTodoTests: 1,
      numFailedTestSuites: 1,
      success: false,
    });
    expect(run(r, '1').line).toBe('tests: 7 passed, 3 failed, 3 skipped');
  });

  it('says failed when the run exited non-zero but every test passed (an unhandled error)', () => {
    const { line, err } = run(report(), '1');
    expect(line).toBe('tests: 10 passed, 1 failed, 2 skipped');
    expect(err).toMatch(/exited with status 1 although every test passed/);
  });

  it('treats a missing report as a failure, whatever the status', () => {
    expect(run(null, '0')).toEqual({
      line: 'tests: 0 passed, 1 failed',
      err: 'test summary: no test report: the build or the runner failed before any test ran\n',
    });
    expect(run(null, '2').line).toBe('tests: 0 passed, 1 failed');
  });

  it('treats an unreadable or countless report as a failure', () => {
    expect(run('{"numPassedTests": 3', '0').line).toBe('tests: 0 passed, 1 failed');
    expect(run('{}', '0').line).toBe('tests: 0 passed, 1 failed');
    expect(run('null', '0').line).toBe('tests: 0 passed, 1 failed');
  });

  it('counts a file that failed outside its tests (an import error)', () => {
    const r = report({
      numFailedTestSuites: 1,
      success: false,
      testResults: [
        { name: '/repo/a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
        { name: '/repo/b.test.ts', status: 'failed', message: 'Cannot find package', assertionResults: [] },
      ],
    });
    expect(run(r, '1').line).toBe('tests: 10 passed, 1 failed, 2 skipped');
  });

  it('says failed for a report of a run that succeeded at nothing (no test files)', () => {
    const r = report({
      numTotalTests: 0,
      numPassedTests: 0,
      numPendingTests: 0,
      success: false,
      testResults: [],
    });
    expect(run(r, '0').line).toBe('tests: 0 passed, 1 failed, 0 skipped');
  });

  it('treats a missing status as a failure', () => {
    expect(summarize(report(), undefined)).toMatchObject({
      line: 'tests: 10 passed, 1 failed, 2 skipped',
      failed: true,
    });
    expect(run(report(), undefined).line).toBe('tests: 10 passed, 1 failed, 2 skipped');
  });

  it('on a real vitest run with an unhandled rejection: JSON says 0 failed, exit 1, summary says failed', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'motcua-summary-run-'));
    try {
      writeFileSync(
        join(fixture, 'vitest.config.mjs'),
        'export default { test: { include: ["*.test.mjs"] } };\n',
      );
      writeFileSync(
        join(fixture, 'x.test.mjs'),
        [
          "import { it, expect } from 'vitest';",
          "it('passes', () => {",
          "  setTimeout(() => Promise.reject(new Error('outside any test')), 0);",
          '  expect(1).toBe(1);',
          '});',
          "it('waits', async () => { await new Promise((r) => setTimeout(r, 50)); });",
          '',
        ].join('\n'),
      );
      const out = join(fixture, 'vitest.json');
      const vitest = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--root',
          fixture,
          '--config',
          join(fixture, 'vitest.config.mjs'),
          '--reporter=json',
          `--outputFile=${out}`,
        ],
        { encoding: 'utf8', cwd: fixture, env: { ...process.env, CI: 'true' } },
      );
      expect(vitest.status).toBe(1);
      const text = readFileSync(out, 'utf8');
      const json = JSON.parse(text);
      expect(json).toMatchObject({
        numPassedTests: 2,
        numFailedTests: 0,
        numFailedTestSuites: 0,
        success: true,
      });
      expect(run(text, String(vitest.status)).line).toBe('tests: 2 passed, 1 failed, 0 skipped');
    } finally {
      rmSync(fixture, { recursive: true, force: true });
    }
  }, 60_000);
});
