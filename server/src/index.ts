import bootstrap from './bootstrap';
import config from './config';
import controllers from './controllers';
import destroy from './destroy';
import policies from './policies';
import register from './register';
import routes from './routes';
import services from './services';

export type { RemoteAuthConfig, RemoteAuthPluginEntry } from './settings-schema/config-type';

const plugin: {
  register: typeof register;
  bootstrap: typeof bootstrap;
  destroy: typeof destroy;
  config: typeof config;
  routes: typeof routes;
  controllers: typeof controllers;
  services: typeof services;
  policies: typeof policies;
} = {
  register,
  bootstrap,
  destroy,
  config,
  routes,
  controllers,
  services,
  policies,
};

export default plugin;
