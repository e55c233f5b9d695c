/**
 * `npm run docs`: writes the generated parts of the documentation from the code,
 * so the docs cannot drift from it.
 *
 * - docs/configuration.md, between `<!-- generated:options start -->` and
 *   `<!-- generated:options end -->`: every option of the settings schema
 *   (server/src/settings-schema/schema.ts: kind, default, help) with the label and
 *   hint the admin settings page shows (admin/src/translations/en.json),
 *   grouped as the page groups them (SECTIONS in admin/src/pages/SettingsPage.tsx).
 * - docs/refusals.md, between `<!-- generated:refusals start -->` and
 *   `<!-- generated:refusals end -->`: every refusal code with its status and
 *   hint (REFUSAL_CODES in server/src/pipeline/refusal-codes.ts).
 *
 * `npm run docs -- --check` writes nothing and exits 1 when a committed file
 * differs from what would be generated (tests/unit/docs-generated.test.ts runs
 * the same check in `npm test`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { schema, settingKeys } from '../server/src/settings-schema/schema';
import { REFUSAL_CODES } from '../server/src/pipeline/refusal-codes';

const ROOT = resolve(__dirname, '..');
const read = (path: string): string => readFileSync(resolve(ROOT, path), 'utf8');

const en = JSON.parse(read('admin/src/translations/en.json')) as Record<string, string>;

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');

/** A default value as it would be written in config/plugins.ts. */
function literal(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `'${k}': ${literal(v)}`).join(', ')} }`;
  }
  return String(value);
}

const code = (value: unknown): string => '`' + literal(value) + '`';

function kindOf(field: (typeof schema)[keyof typeof schema]): string {
  const f = field as { kind: string; choices?: readonly string[]; min?: number; max?: number; default: unknown };
  switch (f.kind) {
    case 'choice':
      return `one of ${f.choices!.map((c) => `\`'${c}'\``).join(', ')}`;
    case 'number':
      return `whole number ${f.min}–${f.max}${f.default === null ? ' or `null`' : ''}`;
    case 'text':
      return f.default === null ? 'string or `null`' : 'string';
    case 'list':
      return 'list of strings';
    case 'mapping':
      return 'object: string → list of strings';
    case 'secret':
      return '`{ header, value }` or `null`';
    case 'hook':
      return 'function (config/plugins only)';
    case 'assertion':
      return '`{ preset, … }` or `null`';
    default:
      return f.kind;
  }
}

/** The settings page's sections, in its order, as SettingsPage.tsx declares them. */
function sections(): Array<{ id: string; title: string; keys: string[] }> {
  const page = read('admin/src/pages/SettingsPage.tsx');
  const block = /const SECTIONS[^=]*=\s*\[([\s\S]*?)\n\];/.exec(page);
  if (!block) throw new Error('SECTIONS not found in admin/src/pages/SettingsPage.tsx');
  const found = [...block[1].matchAll(/id:\s*'(\w+)',\s*keys:\s*\[([^\]]*)\]/g)].map((m) => ({
    id: m[1],
    title: en[`remote-auth.section.${m[1]}`] ?? m[1],
    keys: [...m[2].matchAll(/'(\w+)'/g)].map((k) => k[1]),
  }));
  const placed = new Set(found.flatMap((s) => s.keys));
  const rest = settingKeys.filter((key) => !placed.has(key));
  if (rest.length > 0) found.push({ id: 'other', title: en['remote-auth.section.other'] ?? 'Other options', keys: rest });
  return found;
}

export function optionsTable(): string {
  const out: string[] = [];
  for (const section of sections()) {
    out.push(`### ${section.title}`, '');
    const description = en[`remote-auth.section.${section.id}.description`];
    if (description) out.push(`Settings page: *${cell(description)}*`, '');
    out.push('| option | type | default | meaning | on the settings page |', '|---|---|---|---|---|');
    for (const key of section.keys) {
      const field = schema[key as keyof typeof schema];
      if (!field) throw new Error(`SettingsPage.tsx places "${key}", which is not an option of the schema`);
      const label = en[`remote-auth.settings.${key}`];
      const hint = en[`remote-auth.settings.${key}.hint`];
      const page = label ? `**${cell(label)}**${hint ? ` — ${cell(hint)}` : ''}` : '—';
      out.push(`| \`${key}\` | ${kindOf(field)} | ${code(field.default)} | ${cell(field.help)} | ${page} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function refusalsTable(): string {
  const out = ['| code | status | what it means | what to change (the Activity page\'s hint) |', '|---|---|---|---|'];
  for (const [name, entry] of Object.entries(REFUSAL_CODES)) {
    out.push(`| <a id="${name}"></a>\`${name}\` | ${entry.status} | ${cell(entry.meaning)} | ${cell(entry.hint)} |`);
  }
  return out.join('\n');
}

/** The files and the generated parts they hold. */
export const TARGETS: ReadonlyArray<{ file: string; marker: string; render: () => string }> = [
  { file: 'docs/configuration.md', marker: 'options', render: optionsTable },
  { file: 'docs/refusals.md', marker: 'refusals', render: refusalsTable },
];

/** `text` with the part between the marker's start and end lines replaced by `body`. */
export function splice(text: string, marker: string, body: string, file: string): string {
  const start = `<!-- generated:${marker} start -->`;
  const end = `<!-- generated:${marker} end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no "${start}" … "${end}" markers`);
  return (
    text.slice(0, from + start.length) +
    '\n<!-- Generated by `npm run docs` from the code; edit the code, not this table. -->\n\n' +
    body +
    '\n\n' +
    text.slice(to)
  );
}

/** Every target file as it should be: [file, committed text, generated text]. */
export function generated(): Array<[string, string, string]> {
  return TARGETS.map(({ file, marker, render }) => {
    const text = read(file);
    return [file, text, splice(text, marker, render(), file)];
  });
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, before, after] of generated()) {
    if (before === after) {
      console.log(`${file}: up to date`);
    } else if (check) {
      stale += 1;
      console.log(`${file}: differs from the code — run npm run docs`);
    } else {
      writeFileSync(resolve(ROOT, file), after);
      console.log(`${file}: written`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}
