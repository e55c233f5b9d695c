import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { Core } from '@strapi/strapi';

/** The winston Strapi's logger is made with, so the captured text is formatted exactly as Strapi prints it. */
const winston = createRequire(require.resolve('@strapi/logger'))('winston') as typeof import('winston');

export interface LogCapture {
  /** Every record written since the capture started, as Strapi's format rendered it (one write per record). */
  readonly records: () => readonly string[];
  /** Resolves with the first record matching `pattern`, polling until `deadlineMs`; throws with what was logged otherwise. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<string>;
  stop(): void;
}

/**
 * Captures what Strapi's logger writes, at info level and above, through the
 * logger's own format (timestamp, level, message). The console stays at the
 * level the harness set: only this transport listens to info.
 */
export function captureLog(strapi: Core.Strapi): LogCapture {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  const transport = new winston.transports.Stream({ stream, level: 'info' });
  const logger = strapi.log as unknown as import('winston').Logger;
  logger.add(transport);
  return {
    records: () => [...written],
    async waitFor(pattern, deadlineMs = 10_000) {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const found = written.find((record) => pattern.test(record));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no log record matched ${pattern} within ${deadlineMs} ms; logged:\n${written.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => {
      logger.remove(transport);
    },
  };
}
