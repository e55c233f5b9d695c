#!/usr/bin/env node
/**
 * Runs the scale-out suites (tests/scale/*.test.ts) once, or N times in a row
 * to show they are stable, and prints a tally.
 *
 *   npm run test:scale                                  # once (what .ci/run does)
 *   npm run test:scale -- --repeat 20                   # 20 runs in a row
 *   npm run test:scale -- --repeat 20 tests/scale/database-faults.test.ts
 *   npm run test:scale -- --repeat 20 --bail            # stop at the first failing run
 *
 * TEST_DB chooses the database as for `npm test`. Each run is a fresh
 * `node --test` (fresh Strapi processes, fresh databases). The output of a
 * failing run is kept in full in a log file whose path is printed; the tally
 * at the end says which runs failed. Exit code 0 only if every run passed.
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');

function parse(argv) {
  const options = { repeat: 1, bail: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--repeat' || arg.startsWith('--repeat=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      options.repeat = Number(value);
      if (!Number.isInteger(options.repeat) || options.repeat < 1) throw new Error(`--repeat needs a whole number ≥ 1, not "${value}"`);
    } else if (arg === '--bail') {
      options.bail = true;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg} (known: --repeat N, --bail, test files)`);
    } else {
      options.files.push(arg);
    }
  }
  if (options.files.length === 0) {
    const dir = join(ROOT, 'tests', 'scale');
    options.files = readdirSync(dir)
      .filter((name) => name.endsWith('.test.ts'))
      .sort()
      .map((name) => relative(ROOT, join(dir, name)));
  }
  return options;
}

/** One `node --test` run; output goes through to the terminal and into memory. */
function runOnce(files) {
  return new Promise((done) => {
    const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...files];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('close', (code, signal) => done({ code, signal, output }));
  });
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`run-scale: ${error.message}\n`);
    process.exit(2);
  }
  const { repeat, bail, files } = options;
  const database = process.env.TEST_DB ?? 'sqlite';
  const logs = repeat > 1 ? mkdtempSync(join(tmpdir(), 'remote-auth-scale-')) : null;
  const results = [];
  for (let run = 1; run <= repeat; run++) {
    if (repeat > 1) process.stdout.write(`\n### run-scale: run ${run} of ${repeat} on ${database}: ${files.join(' ')}\n`);
    const started = Date.now();
    const { code, signal, output } = await runOnce(files);
    const seconds = Math.round((Date.now() - started) / 1000);
    const passed = code === 0;
    let log = null;
    if (!passed && logs) {
      log = join(logs, `run-${String(run).padStart(3, '0')}.log`);
      writeFileSync(log, output);
    }
    results.push({ run, passed, code, signal, seconds, log });
    if (repeat > 1) {
      process.stdout.write(`### run-scale: run ${run} ${passed ? 'passed' : `FAILED (${signal ?? `exit ${code}`}; full output in ${log})`} in ${seconds} s\n`);
    }
    if (!passed && bail) break;
  }
  const failed = results.filter((r) => !r.passed);
  if (repeat > 1) {
    process.stdout.write(
      `\n### run-scale: ${database}: ${results.length - failed.length} of ${results.length} runs passed` +
        (results.length < repeat ? ` (stopped after the first failure; ${repeat} asked)` : '') +
        (failed.length ? `; failed: ${failed.map((r) => `#${r.run} (${r.log})`).join(', ')}` : '') +
        '\n',
    );
  }
  process.exit(failed.length === 0 ? 0 : 1);
}

void main();
