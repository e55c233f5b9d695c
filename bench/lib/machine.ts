import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes';

const version = (file: string): string => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

function git(): string {
  try {
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- server package.json', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${commit} + uncommitted server changes` : commit;
  } catch {
    return 'unknown';
  }
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly strapi: string;
  readonly plugin: string;
  readonly autocannon: string;
  readonly database: string;
  readonly commit: string;
  readonly loadAverageAtStart: number[];
}

export function describeMachine(database: string): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    strapi: version(join(ROOT, 'node_modules', '@strapi', 'strapi', 'package.json')),
    plugin: version(join(ROOT, 'package.json')),
    autocannon: version(join(ROOT, 'node_modules', 'autocannon', 'package.json')),
    database,
    commit: git(),
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export const machineLine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}; Strapi ${m.strapi}; ` +
  `strapi-plugin-remote-auth ${m.plugin} (${m.commit}); ${m.database}; autocannon ${m.autocannon}`;
