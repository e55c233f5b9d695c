import { current, forget } from './services/plugin';

export default async function destroy(): Promise<void> {
  const plugin = current();
  plugin?.retention.stop();
  plugin?.deactivationJob.stop();
  const closing = plugin?.activity.close();
  forget();
  await closing;
}
