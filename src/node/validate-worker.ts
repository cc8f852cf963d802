/** The worker thread of validateMany: validates the inputs it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { validatePath } from './validate-path.js';
import type { WorkerReply, WorkerRequest } from './validate-many.js';

const PROGRESS_INTERVAL_MS = 100;

if (parentPort && (workerData as { appcValidateWorker?: boolean } | undefined)?.appcValidateWorker) {
  const port = parentPort;
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
