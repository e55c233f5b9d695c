import type { Knex, Migration } from './migrations';

/**
 * MySQL and MariaDB compare text by the column's collation, and their
 * defaults (utf8mb4_unicode_ci, utf8mb4_general_ci, utf8mb4_0900_ai_ci) fold
 * case and accents: `WHERE subject = ?` and a unique index would take
 * "00uAbC" and "00uabc" for the same value. A column whose values must match
 * exactly gets its character set's binary collation (`utf8mb4_bin`), which
 * compares code points. SQLite and PostgreSQL compare text exactly already.
 */
export const isMysql = (knex: Knex): boolean => (knex.client as { dialect?: string }).dialect === 'mysql';

/** The binary collation of a character set (utf8mb4 → utf8mb4_bin); one exists for every character set. */
export const binaryCollation = (charset: string): string => `${charset}_bin`;

/** Any binary collation compares exactly (utf8mb4_bin, and the NO PAD utf8mb4_nopad_bin or utf8mb4_0900_bin an operator may prefer). */
const isBinary = (collation: string | null): boolean => collation !== null && /_bin$/.test(collation);

interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly charset: string;
  readonly collation: string | null;
}

async function columnsOf(knex: Knex, table: string, columns: readonly string[]): Promise<ColumnInfo[]> {
  const [rows] = (await knex.raw(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN (${columns.map(() => '?').join(', ')})`,
    [table, ...columns],
  )) as [Array<{ name: string; type: string; nullable: string; charset: string | null; collation: string | null }>];
  const found = new Map(rows.map((row) => [String(row.name).toLowerCase(), row]));
  return columns.map((column) => {
    const row = found.get(column.toLowerCase());
    if (!row || row.charset === null) throw new Error(`${table}.${column} is not a text column of this database`);
    // Both go into the ALTER TABLE statement as they are: names MySQL itself reports, checked all the same.
    if (!/^\w+$/.test(String(row.charset)) || !/^\w+(\(\d+\))?$/.test(String(row.type))) throw new Error(`${table}.${column}: unexpected type ${row.type} ${row.charset}`);
    return { name: column, type: String(row.type), nullable: row.nullable === 'YES', charset: String(row.charset), collation: row.collation };
  });
}

/**
 * A migration that gives `columns` of `table` a binary collation on MySQL and
 * MariaDB (a no-op elsewhere). Each column keeps its type, its character set
 * and whether it may be null (none of the plugin's has a default); indexes
 * over it stay as they are. Safe on existing rows: values equal under the
 * binary collation are equal under any other, so a unique index that held
 * before still holds.
 */
export function exactMatchColumns(version: number, table: string, columns: readonly string[]): Migration {
  return {
    version,
    async present(knex) {
      if (!isMysql(knex)) return true;
      return (await columnsOf(knex, table, columns)).every((column) => isBinary(column.collation));
    },
    async up(knex) {
      const pending = (await columnsOf(knex, table, columns)).filter((column) => !isBinary(column.collation));
      if (pending.length === 0) return;
      const changes = pending.map(
        ({ type, nullable, charset }) => `MODIFY ?? ${type} CHARACTER SET ${charset} COLLATE ${binaryCollation(charset)} ${nullable ? 'NULL' : 'NOT NULL'}`,
      );
      await knex.raw(`ALTER TABLE ?? ${changes.join(', ')}`, [table, ...pending.map((column) => column.name)]);
    },
  };
}
