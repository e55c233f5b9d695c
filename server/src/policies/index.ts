import isSuperAdmin from './is-super-admin';

const policies: Record<string, typeof isSuperAdmin> = { 'is-super-admin': isSuperAdmin };

export default policies;
