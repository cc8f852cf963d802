/** The worker thread of validateMany: validates the inputs it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { validatePath } from './validate-path.js';
import { boundGarbage } from '../aci/garbage.js';
import type { WorkerReply, WorkerRequest } from './validate-many.js';

const PROGRESS_INTERVAL_MS = 100;

const data = workerData as { appcValidateWorker?: boolean; boundGarbage?: boolean } | undefined;
if (parentPort && data?.appcValidateWorker) {
  const port = parentPort;
  // The thread's heap is its own: bound its garbage when the process that started the pool does.
  if (data.boundGarbage) boundGarbage();
  port.on('message', (req: WorkerRequest) => {
    let last = 0;
    void validatePath(req.file, {
      ...req.options,
      onProgress: (progress) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        port.postMessage({ id: req.id, progress } satisfies WorkerReply);
      },
    }).then((report) => port.postMessage({ id: req.id, report } satisfies WorkerReply));
  });
}
