/**
 * A refused identity is kept masked: enough for the operator to recognise a
 * colleague ("ja***@corp.example"), not a list of the names somebody tried.
 * The domain stays whole — it tells which realm or mistake was involved.
 */
export function maskIdentity(identity: string): string {
  const at = identity.lastIndexOf('@');
  const local = at > 0 ? identity.slice(0, at) : identity;
  const rest = at > 0 ? identity.slice(at) : '';
  const shown = [...local].slice(0, local.length > 3 ? 2 : 1).join('');
  return `${shown}***${rest}`;
}
