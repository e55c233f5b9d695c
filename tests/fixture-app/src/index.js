module.exports = {
  register() {},
  bootstrap({ strapi }) {
    // npm run bench (B4's anchor) only; see bench-ceiling.js.
    if (process.env.REMOTE_AUTH_BENCH_CEILING === '1') require('./bench-ceiling')(strapi);
  },
};
