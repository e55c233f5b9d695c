import bootstrap from './bootstrap';
import config from './config';
import controllers from './controllers';
import destroy from './destroy';
import policies from './policies';
import register from './register';
import routes from './routes';
import services from './services';

export type { RemoteAuthConfig, RemoteAuthPluginEntry } from './settings-schema/config-type';

export default {
  register,
  bootstrap,
  destroy,
  config,
  routes,
  controllers,
  services,
  policies,
};
