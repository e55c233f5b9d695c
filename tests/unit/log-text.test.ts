/**
 * Log lines quote request-derived values; none of them may break the line,
 * forge another one or drive the terminal (T27). `escapeLogText` is the one
 * function that makes a value safe, `logLine` applies it to every value of a
 * log line, and every log call in server/src goes through `logLine`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { escapeLogText, logLine } from '../../server/src/pipeline/log-text';

const FORGED = 'info: [remote-auth] signed in "root@corp.example" as admin user 1';

test('line breaks of every kind become visible escapes', () => {
  assert.equal(escapeLogText(`x\n${FORGED}`), `x\\n${FORGED}`);
  assert.equal(escapeLogText('a\r\nb'), 'a\\r\\nb');
  assert.equal(escapeLogText('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
  assert.equal(escapeLogText('a\u0085b'), 'a\\u0085b'); // NEL, a C1 line break
  assert.equal(escapeLogText('a\u000bb\u000cc'), 'a\\u000bb\\u000cc'); // vertical tab, form feed
  assert.equal(escapeLogText('a\tb'), 'a\\tb');
});

test('ANSI escape sequences lose their ESC (and the one-byte CSI), so they print as text', () => {
  assert.equal(escapeLogText('\u001b[2K\u001b[1Gok'), '\\u001b[2K\\u001b[1Gok');
  assert.equal(escapeLogText('\u001b]0;title\u0007'), '\\u001b]0;title\\u0007');
  assert.equal(escapeLogText('\u009b31m'), '\\u009b31m');
});

test('every C0 and C1 control, DEL and the bidi overrides are escaped; nothing else is', () => {
  const unsafe = [
    ...Array.from({ length: 0x20 }, (_, i) => i),
    ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
    0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
  ].map((code) => String.fromCharCode(code));
  for (const character of unsafe) {
    const escaped = escapeLogText(character);
    assert.match(escaped, /^\\(u[0-9a-f]{4}|[nrt])$/, `U+${character.charCodeAt(0).toString(16)}`);
  }
  const kept = 'jane.doe@corp.example "quoted" back\\slash Ünïcödé 日本語 ʻokina — ü';
  assert.equal(escapeLogText(kept), kept);
});

test('logLine escapes each interpolated value and keeps the literal parts', () => {
  const subject = `eve"\n${FORGED}`;
  const line = logLine`[remote-auth] refused "${subject}" from ${'10.0.0.1'} (${42})`;
  assert.equal(line, `[remote-auth] refused "eve"\\n${FORGED}" from 10.0.0.1 (42)`);
  assert.ok(!/[\r\n\u2028\u2029]/.test(line));
  assert.equal(logLine`no values`, 'no values');
  assert.equal(logLine`${null} ${undefined}`, 'null undefined');
});

/** Every `strapi.log.<level>(…)` call in the plugin's server code, with the text of its first argument. */
function logCalls(): Array<{ file: string; argument: string }> {
  const root = resolve(__dirname, '..', '..', 'server', 'src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return files.flatMap((file) => {
    const source = readFileSync(join(root, file), 'utf8');
    return [...source.matchAll(/\.log(?:\.\w+|\[\w+\])\(\s*([^\n]*)/g)].map((match) => ({ file, argument: match[1] }));
  });
}

test('every log line the plugin writes goes through logLine', () => {
  const calls = logCalls();
  assert.ok(calls.length > 20, `found only ${calls.length} log calls: did the pattern stop matching?`);
  const unescaped = calls.filter(({ argument }) => !argument.startsWith('logLine`'));
  assert.deepEqual(unescaped, []);
});
