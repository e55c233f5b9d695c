export * from './settings';
export * from './diagnostics';
export * from './sessions';
export * from './activity';
