/** Where the refusal recorder finds the identity a refused request asserted (`ctx.state`; kept masked). */
export const IDENTITY_STATE = 'remoteAuthIdentity';
