/**
 * The masking the fixture app uses: its tags are keyed from admin.auth.secret
 * (tests/fixture-app/config/admin.js), so a test can say which mask a row or
 * *Check this connection* must show for an identity.
 *
 *   assert.equal(row.identity, FIXTURE_MASK.identity('jane.doe@corp.example'));
 */
import { createMasking, maskTagKey } from '../../server/src/pipeline/masking';

/** The fixture app's admin.auth.secret (ADMIN_JWT_SECRET unset). */
export const FIXTURE_ADMIN_SECRET = 'fixture-admin-jwt-secret';

export const FIXTURE_MASK = createMasking(maskTagKey(FIXTURE_ADMIN_SECRET));
