// The E2EE worker's entry point. Load it as a module worker:
//
//   const worker = new Worker(new URL('./e2ee/worker.ts', import.meta.url), { type: 'module' });
//   sender.transform = new RTCRtpScriptTransform(worker, { direction: 'encrypt', track: mid });
//
// or, where only createEncodedStreams exists, post the streams:
//
//   const { readable, writable } = sender.createEncodedStreams();
//   worker.postMessage({ type: 'attach', readable, writable, options }, [readable, writable]);

import { E2eeWorkerCore } from './worker-core';
import type { FromWorker, ToWorker, TransformOptions } from './worker-protocol';

/** The members of a worker global and of RTCTransformEvent this file uses. */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onrtctransform?: ((event: { transformer: { readable: ReadableStream; writable: WritableStream; options: TransformOptions } }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const core = new E2eeWorkerCore((message) => scope.postMessage(message));

scope.onmessage = (event) => {
  void core.handle(event.data);
};

scope.onrtctransform = (event) => {
  const { readable, writable, options } = event.transformer;
  void core.attach(readable, writable, options);
};
