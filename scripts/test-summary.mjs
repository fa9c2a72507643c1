// Prints the one line CI reads: "tests: N passed, M failed, K skipped".
import { readFileSync } from 'node:fs';

const [file, status] = process.argv.slice(2);
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const failed = r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? 1 : 0);
  const skipped = r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
} catch {
  // No report: the build or the runner failed before any test ran.
  console.log(`tests: 0 passed, ${status === '0' ? 0 : 1} failed`);
}
