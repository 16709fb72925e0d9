/** tfjs' WebGL backend, as its own chunk: `chooseBackend` imports it only when it tries WebGL (src/tf/tfjs-lean.ts). */
import '@tensorflow/tfjs-backend-webgl';
