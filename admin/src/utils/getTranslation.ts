import { PLUGIN_ID } from '../pluginId';

/** Every UI string of the plugin lives under `remote-auth.` in translations/*.json. */
export const getTranslation = (id: string): string => `${PLUGIN_ID}.${id}`;
