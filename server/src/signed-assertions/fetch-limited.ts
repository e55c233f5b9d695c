import { KeysUnavailable } from './assertion-refusals';

/** How long a key fetch may take, headers and body together. */
export const KEY_FETCH_TIMEOUT_MS = 5_000;
/** The largest key document accepted: real ones are a few KB. A bigger body is read no further. */
export const MAX_KEY_DOCUMENT_BYTES = 256 * 1024;

/**
 * GET `url` and return its body as text: within the time-out, at most
 * MAX_KEY_DOCUMENT_BYTES (the body is streamed and the connection dropped
 * past the cap, so a huge answer cannot exhaust memory), status 200 only, no
 * redirects (a key URL that redirects elsewhere is a configuration to fix,
 * not something to follow). Every failure is a KeysUnavailable naming the URL.
 */
export async function fetchKeyDocument(url: string, timeoutMs = KEY_FETCH_TIMEOUT_MS): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'error', headers: { accept: 'application/json, application/x-pem-file, text/plain' } });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new KeysUnavailable(`the key URL ${url} answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > MAX_KEY_DOCUMENT_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw new KeysUnavailable(`the key URL ${url} sent ${declared} bytes, more than the ${MAX_KEY_DOCUMENT_BYTES} a key set may have`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_KEY_DOCUMENT_BYTES) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        throw new KeysUnavailable(`the key URL ${url} sent more than ${MAX_KEY_DOCUMENT_BYTES} bytes; a key set is a few KB`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof KeysUnavailable) throw error;
    if (controller.signal.aborted) throw new KeysUnavailable(`the key URL ${url} did not answer within ${timeoutMs / 1000} s`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new KeysUnavailable(`the key URL ${url} could not be fetched: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
