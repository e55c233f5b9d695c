#!/usr/bin/env node
/**
 * Runs each test file alone, in a `node --test` process of its own, one after
 * the other, and prints a tally: a file that passes only after another file
 * left something behind (a row, a setting, a schema change) fails here.
 *
 *   npm run test:alone                                   # every tests/integration/*.test.ts
 *   npm run test:alone -- tests/integration/activity.test.ts tests/integration/groups.test.ts
 *
 * TEST_DB chooses the database as for `npm test`. The output of each run goes
 * to a log file (its path is printed for a failing file); a line per file
 * says passed/failed, the test counts and the time. Exit code 0 only if every
 * file passed. Not part of CI (it takes a few minutes).
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');

function filesFrom(argv) {
  const unknown = argv.filter((arg) => arg.startsWith('-'));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]} (give test files, or none for tests/integration/*.test.ts)`);
  if (argv.length > 0) return argv;
  const dir = join(ROOT, 'tests', 'integration');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => relative(ROOT, join(dir, name)));
}

/** One file in a `node --test` of its own; its output is kept, not shown. */
function runAlone(file) {
  return new Promise((done) => {
    const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', file];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => done({ code, signal, output }));
  });
}

/** The totals the tap reporter prints last ("# pass 12"). */
const total = (output, name) => {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output);
  return match ? Number(match[1]) : null;
};

async function main() {
  let files;
  try {
    files = filesFrom(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`run-alone: ${error.message}\n`);
    process.exit(2);
  }
  const database = process.env.TEST_DB ?? 'sqlite';
  const logs = mkdtempSync(join(tmpdir(), 'remote-auth-alone-'));
  const results = [];
  process.stdout.write(`run-alone: ${files.length} file(s), each in its own process, on ${database}\n`);
  for (const file of files) {
    const started = Date.now();
    const { code, signal, output } = await runAlone(file);
    const seconds = Math.round((Date.now() - started) / 1000);
    const log = join(logs, `${file.replace(/[\\/]/g, '_')}.log`);
    writeFileSync(log, output);
    const counts = { pass: total(output, 'pass'), fail: total(output, 'fail'), skipped: total(output, 'skipped') };
    const passed = code === 0 && counts.fail === 0;
    results.push({ file, passed, counts, seconds });
    process.stdout.write(
      `${passed ? 'pass' : 'FAIL'}  ${file}  (${counts.pass ?? '?'} passed, ${counts.fail ?? '?'} failed, ${counts.skipped ?? 0} skipped; ${seconds} s)` +
        (passed ? '' : `  exit ${signal ?? code}, output in ${log}`) +
        '\n',
    );
  }
  const failed = results.filter((r) => !r.passed);
  const tests = results.reduce((sum, r) => sum + (r.counts.pass ?? 0), 0);
  process.stdout.write(
    `\nrun-alone: ${database}: ${results.length - failed.length} of ${results.length} files passed alone (${tests} tests passed)` +
      (failed.length ? `; failed: ${failed.map((r) => r.file).join(', ')}` : '') +
      `\nlogs: ${logs}\n`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

void main();
