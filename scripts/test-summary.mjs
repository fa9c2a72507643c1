// Prints the one line CI reads: "tests: N passed, M failed, K skipped".
//
//   node scripts/test-summary.mjs test-results/vitest.json "$status"
//
// Exits 1 when the line counts a failure.
//
// The line never says "0 failed" for a run that failed or did not run: vitest's JSON report
// counts failed tests and suites only, so an error outside any test (an unhandled rejection, a
// crash after the report was written) leaves it at "0 failed" while the run exits non-zero; and a
// missing or unreadable report means the build or the runner failed before any test ran.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The summary line and, when the counts alone would not explain a failure, why the run failed.
 * `reportText` is the JSON report's text (null when there is none); `status` the run's exit
 * status as the shell gave it ("0" for success; anything else, or nothing, is a failure).
 * @param {string | null} reportText
 * @param {string | undefined} status
 * @returns {{ line: string, notes: string[], failed: boolean }}
 */
export function summarize(reportText, status) {
  const exitedOk = status === '0';
  const notes = [];
  let report = null;
  if (reportText === null) notes.push('no test report: the build or the runner failed before any test ran');
  else {
    try {
      report = JSON.parse(reportText);
    } catch (err) {
      notes.push(`the test report is not JSON (${err.message})`);
    }
    if (report !== null && (typeof report !== 'object' || !Number.isInteger(report.numPassedTests))) {
      notes.push('the test report has no test counts');
      report = null;
    }
  }
  if (report === null) {
    if (!exitedOk) notes.push(`the run exited with status ${status ?? '(none)'}`);
    return { line: 'tests: 0 passed, 1 failed', notes, failed: true };
  }

  const count = (n) => (Number.isInteger(n) && n > 0 ? n : 0);
  // A file that failed outside its tests (an import error, a failing hook) has no failed test.
  const filesFailedOutsideTests = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  let failed = count(report.numFailedTests) + filesFailedOutsideTests;
  if (failed === 0 && count(report.numFailedTestSuites) > 0) {
    failed = 1;
    notes.push(`${report.numFailedTestSuites} suite(s) failed outside their tests`);
  }
  if (failed === 0 && report.success === false) {
    failed = 1;
    notes.push('the report says the run did not succeed (no test files ran?)');
  }
  if (failed === 0 && !exitedOk) {
    failed = 1;
    notes.push(
      `the run exited with status ${status ?? '(none)'} although every test passed: an error outside ` +
        'the tests (unhandled rejection or exception, a crash after the report) — see the log above',
    );
  }
  const skipped = count(report.numPendingTests) + count(report.numTodoTests);
  return {
    line: `tests: ${count(report.numPassedTests)} passed, ${failed} failed, ${skipped} skipped`,
    notes,
    failed: failed > 0,
  };
}

function readReport(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, status] = process.argv.slice(2);
  const { line, notes, failed } = summarize(file ? readReport(file) : null, status);
  for (const note of notes) console.error(`test summary: ${note}`);
  console.log(line);
  // So CI fails on what the line says, even when the runner's own status was 0.
  process.exitCode = failed ? 1 : 0;
}
