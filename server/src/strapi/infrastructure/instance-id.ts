import { hostname } from 'node:os';

/** The instance that wrote a row: host and process, so rows from several instances can be told apart. */
export const INSTANCE_ID = `${hostname()}:${process.pid}`.slice(0, 64);
