'use strict';

// Strapi loads this file when the package has no "exports" map it understands.
module.exports = require('./dist/server');
