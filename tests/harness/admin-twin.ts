/**
 * Two admin users sharing one address in Strapi's eyes (its look-up is `lower(email) = lower(?)`), as
 * an import or raw SQL can leave them and Strapi's own services never write: a copy of an existing
 * row, written straight to the table with its address upper-cased. Tests make one to run the plugin
 * without its unique e-mail index, which refuses such a row while it is there.
 */
import type { Core } from '@strapi/strapi';

type Knex = Core.Strapi['db']['connection'];

/** Inserts the twin of the first admin user matching `where` (by id); returns the twin's document_id. */
export async function insertAddressTwin(knex: Knex, where: Record<string, unknown> = {}, suffix = 'twin'): Promise<string> {
  const row = (await knex('admin_users').where(where).orderBy('id').first()) as Record<string, unknown>;
  const { id: _id, ...copy } = row;
  const documentId = `${String(row.document_id)}${suffix}`;
  await knex('admin_users').insert({ ...copy, email: String(row.email).toUpperCase(), document_id: documentId });
  return documentId;
}
