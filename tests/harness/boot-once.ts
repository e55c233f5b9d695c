/**
 * Boots the fixture app once and exits: 0 when Strapi started, 1 with the
 * error on stderr when it refused. Used to prove that bad configuration stops
 * Strapi instead of running half-configured.
 */
import { startStrapi } from './strapi';

const config = JSON.parse(process.env.BOOT_CONFIG ?? '{}');
startStrapi({ config }).then(
  async (app) => {
    await app.stop();
    process.exit(0);
  },
  (error: Error) => {
    process.stderr.write(`BOOT FAILED: ${error.message}\n`);
    process.exit(1);
  },
);
