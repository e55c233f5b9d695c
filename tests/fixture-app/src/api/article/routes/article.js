const { factories } = require('@strapi/strapi');

module.exports = factories.createCoreRouter('api::article.article', {
  config: { find: { auth: false }, findOne: { auth: false } },
});
