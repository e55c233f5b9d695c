// ER_CHECKREAD: MariaDB with innodb_snapshot_isolation (the default from 11.6.2) refuses a locking read of a row
// committed after the transaction's snapshot; run again, the transaction sees it.
const RETRYABLE = new Set(['40001', '40P01', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD', 'SQLITE_BUSY']);
const isRetryable = (error: unknown): boolean => RETRYABLE.has(String((error as { code?: unknown })?.code ?? ''));

/**
 * Runs a write that concurrent sign-ins (here or on other instances) may make
 * the database refuse with a deadlock or serialization error: up to five
 * tries, with jitter, before the error counts.
 */
export async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
