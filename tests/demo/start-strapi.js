'use strict';
// What `strapi start` does for a JavaScript app, run with the fixture app as
// the working directory. `strapi start` itself refuses the fixture app: its
// tsconfig.json (there only to keep Strapi's CLI from adopting the plugin's)
// makes the CLI look for a TypeScript build output (`outDir`) that a plain JS
// app does not have ("undefined directory not found").
const { createStrapi } = require('@strapi/strapi');

const appDir = process.cwd();
createStrapi({ appDir, distDir: appDir }).start();
