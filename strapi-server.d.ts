// Types for `strapi-plugin-remote-auth/strapi-server` under TypeScript's older
// "node" module resolution, which ignores package.json "exports".
export * from './dist/server/src/index';
export { default } from './dist/server/src/index';
