/** Where the refusal recorder finds the identity a refused request asserted (`ctx.state`; kept masked). Set only after the trust checks: a listed proxy's header or a verified signature named the person. */
export const IDENTITY_STATE = 'remoteAuthIdentity';
