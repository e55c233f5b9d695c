export const PLUGIN_ID = 'remote-auth';
